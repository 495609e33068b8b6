package main

// Every command teaches itself: --help (and -h, and `opencube help ...`)
// succeeds and prints the syntax with an example on stdout; a command line
// that is not understood exits 2.

import (
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	type helpCase struct {
		args []string
		want []string // in stdout
	}
	var cases []helpCase
	for _, c := range commands {
		want := []string{"Usage: opencube " + c.name}
		if c.name != "version" && c.name != "help" {
			want = append(want, "Example")
		}
		for _, h := range []string{"--help", "-h", "-help"} {
			cases = append(cases, helpCase{args: []string{c.name, h}, want: want})
		}
		if c.name != "help" {
			cases = append(cases, helpCase{args: []string{"help", c.name}, want: want})
		}
	}
	for _, c := range adminCommands {
		group, verb, _ := strings.Cut(c.name, " ")
		want := []string{"Usage: opencube admin " + c.name + " ", "Example:\n  ", "opencube admin --admin-token T " + c.name, "Flags:\n", "-json"}
		cases = append(cases,
			helpCase{args: []string{"admin", group, verb, "--help"}, want: want},
			helpCase{args: []string{"admin", "--admin-token", "T", group, verb, "-h"}, want: want},
			helpCase{args: []string{"help", "admin", group, verb}, want: want},
			helpCase{args: []string{"admin", group, "--help"}, want: []string{"Usage: opencube admin " + group + " VERB", c.name}})
	}
	cases = append(cases,
		helpCase{args: nil, want: nil}, // below: the overview on stderr, exit 2
		helpCase{args: []string{"--help"}, want: []string{"Usage:", "opencube call", "opencube admin", "OPENCUBE_URL"}},
		helpCase{args: []string{"-h"}, want: []string{"Usage:", "opencube serve"}},
		helpCase{args: []string{"help"}, want: []string{"Usage:", "opencube simulate"}},
		helpCase{args: []string{"usage", "import", "--help"}, want: []string{"Usage: opencube usage import", "2024-01-31T10:00:00+08:00", "id,imsi,start,end,input_bytes,output_bytes", "Flags:"}},
		// A help flag after the arguments, as people type it.
		helpCase{args: []string{"call", "package/queryOrder", "page_no:=1", "--help"}, want: []string{"Usage: opencube call"}},
		helpCase{args: []string{"admin", "enterprise", "show", "P000270", "--help"}, want: []string{"Usage: opencube admin enterprise show C"}},
		// What a newcomer must learn from them.
		helpCase{args: []string{"call", "--help"}, want: []string{"key=value", "key:=json", "OPENCUBE_URL", "OPENCUBE_ACCESS_CODE",
			"OPENCUBE_SECRET", "--mall", "--esim", "HMAC-MD5", "tradeType", "--get", "exit status is 3", "opencube call package/queryPackage"}},
		helpCase{args: []string{"sign", "--help"}, want: []string{"two lines", "--mall", "OPENCUBE_SECRET", "opencube sign"}},
		helpCase{args: []string{"admin", "--help"}, want: []string{"OPENCUBE_URL", "OPENCUBE_ADMIN_TOKEN", "--admin-token", "--get", "deliveries redeliver-since",
			"opencube admin --admin-token T"}},
		helpCase{args: []string{"admin", "sims", "import", "--help"}, want: []string{"iccid,imsi,msisdn,ota,enterprise", "1/0", "true/false", "yes/no"}},
		helpCase{args: []string{"admin", "deliveries", "redeliver-since", "--help"}, want: []string{"--access-code C --since T", "--access-code P000270 --since 2024-01-31T00:00:00+08:00"}},
		helpCase{args: []string{"simulate", "--help"}, want: []string{"Disconnect-Request", "Disconnect-ACK", "--coa-port", "Stop for every open session"}},
		helpCase{args: []string{"serve", "--help"}, want: []string{"--admin-token", "OPENCUBE_ADMIN_TOKEN", "-radius-coa-port", "opencube serve --demo"}},
	)
	for _, tt := range cases {
		if tt.args == nil {
			continue
		}
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, err := runCLI(t, "", tt.args...)
			if err != nil || exitCode(err) != 0 {
				t.Fatalf("error %v (exit code %d), want none", err, exitCode(err))
			}
			if errOut != "" {
				t.Errorf("stderr %q, want nothing", errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestUsageErrors: a command line that is not understood exits 2 and says
// where the help is, with the usage on stderr and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{nil, "Usage:"},
		{[]string{"bogus"}, "Usage:"},
		{[]string{"call"}, ""},
		{[]string{"call", "--bogus", "package/queryOrder"}, "Usage: opencube call"},
		{[]string{"call", "package/queryOrder", "page_no"}, ""},
		{[]string{"call", "package/queryOrder", "page_no:={"}, ""},
		{[]string{"call", "--mall", "vshop/nowhere"}, ""},
		{[]string{"call", "--esim", "fms/nowhere"}, ""},
		{[]string{"call", "--mall", "--esim", "vshop/singleVerify"}, ""},
		{[]string{"call", "--token", "x", "package/queryOrder"}, ""},
		{[]string{"sign", "extra"}, ""},
		{[]string{"admin"}, "Usage: opencube admin"},
		{[]string{"admin", "sim"}, "sim suspend"},
		{[]string{"admin", "sim", "fly"}, "Usage: opencube admin"},
		{[]string{"admin", "sim", "suspend"}, "Usage: opencube admin sim suspend ICCID"},
		{[]string{"admin", "deliveries", "redeliver-since", "--since", "2024-01-31T00:00:00+08:00"}, "Usage: opencube admin deliveries redeliver-since"},
		{[]string{"usage"}, "Usage: opencube usage import"},
		{[]string{"usage", "import"}, ""},
		{[]string{"version", "now"}, ""},
		{[]string{"simulate"}, ""},
		{[]string{"help", "bogus"}, "Usage:"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, err := runCLI(t, "", tt.args...)
			if exitCode(err) != 2 {
				t.Fatalf("error %v, exit code %d; want 2", err, exitCode(err))
			}
			if !strings.Contains(err.Error(), "--help')") {
				t.Errorf("error %q does not point to --help", err)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q, want %q", errOut, tt.stderr)
			}
		})
	}
}

// TestFlagsAfterArguments: flags may follow the arguments, up to "--".
func TestFlagsAfterArguments(t *testing.T) {
	fs := newFlagSet("opencube call", nil)
	get := fs.String("get", "", "")
	mall := fs.Bool("mall", false, "")
	if err := parseArgs(fs, []string{"vshop/singleVerify", "deviceCode=1", "--get", "data.x", "--mall", "--", "-k=v"}); err != nil {
		t.Fatal(err)
	}
	if *get != "data.x" || !*mall || strings.Join(fs.Args(), " ") != "vshop/singleVerify deviceCode=1 -k=v" {
		t.Errorf("get %q, mall %v, args %q", *get, *mall, fs.Args())
	}
}
