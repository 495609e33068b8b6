// Command packager builds opencube's Debian package with nfpm: the binary,
// the systemd unit, the example settings (a conffile), the manual page and
// the maintainer scripts of packaging/. scripts/package runs it after it
// has built the binary and the manual page; it is a module of its own so
// that the server's module does not depend on the packaging tools.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "packager:", err)
		os.Exit(1)
	}
}

// debianArch is the Debian name of a Go architecture.
var debianArch = map[string]string{
	"amd64": "amd64", "arm64": "arm64", "386": "i386", "arm": "armhf",
	"riscv64": "riscv64", "ppc64le": "ppc64el", "s390x": "s390x", "loong64": "loong64",
}

// debianVersion is what a Debian version may be (without an epoch).
var debianVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~-]*$`)

func run(args []string) error {
	fs := flag.NewFlagSet("packager", flag.ContinueOnError)
	version := fs.String("version", "", "the package version, a Debian version (1.2.3, 0.0.0~git20240131.abcdef0)")
	goarch := fs.String("arch", "", "the binary's Go architecture (amd64, arm64, ...)")
	bin := fs.String("bin", "", "the opencube binary for that architecture")
	man := fs.String("man", "", "the manual page, gzipped (opencube.1.gz)")
	src := fs.String("packaging", "packaging", "the directory of the unit, the settings and the maintainer scripts")
	out := fs.String("out", "dist", "the directory the .deb is written to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" || *goarch == "" || *bin == "" || *man == "" {
		return errors.New("--version, --arch, --bin and --man are required")
	}
	if !debianVersion.MatchString(*version) {
		return fmt.Errorf("--version %q is not a Debian version: it starts with a digit", *version)
	}
	arch, ok := debianArch[*goarch]
	if !ok {
		return fmt.Errorf("--arch %q: no Debian architecture known for it", *goarch)
	}
	p := func(name string) string { return filepath.Join(*src, name) }
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: "opencube", Arch: arch, Platform: "linux", Version: *version, VersionSchema: "none",
		Section: "net", Priority: "optional",
		Maintainer:  "opencube developers <opencube@users.noreply.github.com>",
		Homepage:    "https://github.com/opencube/opencube",
		License:     "see https://github.com/opencube/opencube",
		Description: "IoT connectivity management platform\n opencube serves the CSSS and Cube v4 APIs, the consumer shops, an admin API\n and web console, RADIUS and SMS, from one binary, on SQLite or PostgreSQL.\n This package runs it as the systemd service opencube.",
		Overridables: nfpm.Overridables{
			Contents: files.Contents{
				{Source: *bin, Destination: "/usr/bin/opencube", FileInfo: &files.ContentFileInfo{Mode: 0o755}},
				{Source: p("opencube.service"), Destination: "/lib/systemd/system/opencube.service", FileInfo: &files.ContentFileInfo{Mode: 0o644}},
				{Destination: "/etc/opencube", Type: files.TypeDir, FileInfo: &files.ContentFileInfo{Mode: 0o750}},
				{Source: p("opencube.env"), Destination: "/etc/opencube/opencube.env", Type: files.TypeConfigNoReplace, FileInfo: &files.ContentFileInfo{Mode: 0o640}},
				{Source: *man, Destination: "/usr/share/man/man1/opencube.1.gz", FileInfo: &files.ContentFileInfo{Mode: 0o644}},
			},
			Scripts: nfpm.Scripts{
				PreInstall: p("preinst"), PostInstall: p("postinst"), PreRemove: p("prerm"), PostRemove: p("postrm"),
			},
		},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	name := filepath.Join(*out, fmt.Sprintf("opencube_%s_%s.deb", *version, arch))
	f, err := os.Create(name + ".partial")
	if err != nil {
		return err
	}
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return err
	}
	fmt.Println(name)
	return nil
}
