package main

import (
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

// esimImport is `opencube admin esim import`: eSIM profiles from CSV.
func (c *adminCLI) esimImport(args []string) error {
	fs := c.flags("esim import")
	code := fs.String("access-code", "", "enterprise whose profiles these are")
	file := fs.String("file", "-", "CSV file to import; - for stdin")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	in, err := c.input(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	n, err := c.admin.ImportProfilesCSV(c.ctx, *code, in)
	if err != nil {
		return err
	}
	return c.print(admin.ImportResult{Imported: n}, "imported %d eSIM profile%s", n, plural(n))
}

// esimMark is `opencube admin esim mark`: a profile installed or deleted.
func (c *adminCLI) esimMark(args []string) error {
	fs := c.flags("esim mark")
	code := fs.String("access-code", "", "enterprise of the profile")
	state := fs.String("state", "", "installed or deleted")
	if err := parse(fs, args, 1, "access-code", "state"); err != nil {
		return err
	}
	p, err := c.admin.MarkProfile(c.ctx, *code, fs.Arg(0), opencube.ProfileState(*state))
	if err != nil {
		return err
	}
	return c.print(p, "profile %s is %s", p.ICCID, p.State)
}
