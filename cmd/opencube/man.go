package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// The manual page: opencube(1), made of the same texts as --help (every
// command's help with its flags, and every admin command's), so that the
// two cannot disagree. The package installs it (scripts/package).

// manHelp is the help of `opencube man`.
const manHelp = `Usage: opencube man

Prints the manual page opencube(1), in man(7) format, on standard output: the
overview and every command's --help, flags included. The package installs it
as /usr/share/man/man1/opencube.1.gz.

Example:
  opencube man > opencube.1 && man -l opencube.1
`

// manSection is one part of the manual page: a title and the --help text
// of the command line args.
type manSection struct {
	title string
	args  []string
}

// manSections are the manual page's command sections, in order: every
// command, then every admin command.
func manSections() []manSection {
	var out []manSection
	for _, c := range commands {
		out = append(out, manSection{title: "opencube " + c.name, args: []string{c.name, "--help"}})
	}
	for _, c := range adminCommands {
		group, verb, _ := strings.Cut(c.name, " ")
		out = append(out, manSection{title: "opencube admin " + c.name, args: []string{"admin", group, verb, "--help"}})
	}
	return out
}

// helpText is what a command line asking for help prints.
func helpText(ctx context.Context, args []string) (string, error) {
	var out, errOut bytes.Buffer
	if err := dispatch(ctx, args, strings.NewReader(""), &out, &errOut); err != nil {
		return "", fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return out.String(), nil
}

// writeMan writes the manual page.
func writeMan(ctx context.Context, w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH OPENCUBE 1 \"\" \"opencube %s\" \"User Commands\"\n", troffQuoted(version()))
	b.WriteString(".SH NAME\nopencube \\- an open-source IoT connectivity management platform\n")
	b.WriteString(".SH SYNOPSIS\n.B opencube\n.I COMMAND\n[\\fIflags\\fR] [\\fIarguments\\fR]\n")
	b.WriteString(".SH DESCRIPTION\n")
	var ov bytes.Buffer
	overview(&ov)
	writeVerbatim(&b, ov.String())
	b.WriteString(".SH COMMANDS\n")
	for _, s := range manSections() {
		text, err := helpText(ctx, s.args)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, ".SS \"%s\"\n", troffQuoted(s.title))
		writeVerbatim(&b, text)
	}
	b.WriteString(`.SH FILES
.TP
.I /etc/opencube/opencube.env
The service's settings, OPENCUBE_ variables (the package's systemd unit reads it).
.TP
.I /var/lib/opencube
The service's state directory: its SQLite database.
.SH SEE ALSO
.BR systemctl (1),
.BR pg_dump (1)
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeVerbatim writes text as a block of lines set as they are
// (no filling, no adjusting), escaped for troff.
func writeVerbatim(b *strings.Builder, text string) {
	b.WriteString(".nf\n")
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		b.WriteString(troffLine(line))
		b.WriteByte('\n')
	}
	b.WriteString(".fi\n")
}

// troffLine escapes one line of text for troff: backslashes, and a
// leading dot or quote that would make it a request; an empty line stays
// an empty line of output.
func troffLine(line string) string {
	line = strings.ReplaceAll(line, `\`, `\e`)
	line = strings.ReplaceAll(line, "-", `\-`)
	if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
		line = `\&` + line
	}
	return line
}

// untroffLine undoes troffLine.
func untroffLine(line string) string {
	line = strings.TrimPrefix(line, `\&`)
	line = strings.ReplaceAll(line, `\-`, "-")
	return strings.ReplaceAll(line, `\e`, `\`)
}

// troffQuoted escapes s for a quoted macro argument.
func troffQuoted(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\e`), `"`, `\(dq`)
}
