package main

import (
	"fmt"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/shop"
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
	p, err := c.admin.MarkProfile(c.ctx, *code, fs.Arg(0), shop.ProfileState(*state))
	if err != nil {
		return err
	}
	return c.print(p, "profile %s is %s", p.ICCID, p.State)
}

// esimProfiles is `opencube admin esim profiles`: an enterprise's eSIM
// profiles.
func (c *adminCLI) esimProfiles(args []string) error {
	fs := c.flags("esim profiles")
	code := fs.String("access-code", "", "enterprise whose profiles to list")
	state := fs.String("state", "", "only profiles in this state: available, reserved, sold, installed or deleted")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	ps, err := c.admin.Profiles(c.ctx, *code, shop.ProfileState(*state))
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []*shop.Profile{}
	}
	if c.structured() {
		return c.print(ps, "")
	}
	if len(ps) == 0 {
		if *state != "" {
			return c.print(nil, "no eSIM profiles of %s in state %s", *code, *state)
		}
		return c.print(nil, "no eSIM profiles of %s", *code)
	}
	for _, p := range ps {
		order := ""
		if p.OrderID != "" {
			order = "  order " + p.OrderID
		}
		fmt.Fprintf(c.stdout, "%s  %-9s  %s  %s%s\n", p.ICCID, p.State, p.SMDPAddress, p.MatchingID, order)
	}
	return nil
}

// esimCode is `opencube admin esim code`: a sandbox's e-mail verification
// code.
func (c *adminCLI) esimCode(args []string) error {
	fs := c.flags("esim code")
	code := fs.String("access-code", "", "enterprise (partnerCode) the code was sent for; any when empty")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	v, err := c.admin.VerificationCode(c.ctx, *code, fs.Arg(0))
	if err != nil {
		return err
	}
	return c.print(v, "%s", v.Code)
}
