package csss

import (
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

// Bounds of the request fields that are not free text (D23, D26), beyond
// those of the root package.
const (
	// MaxPageNo is the largest page_no.
	MaxPageNo = 1 << 30
	// MaxPageSize is the largest page_size (D23).
	MaxPageSize = 100
	// MaxAmountLen is the longest pay_amount, in characters.
	MaxAmountLen = 15
	// MaxDevicePlansList is the longest deviceList of queryDevicePackages.
	MaxDevicePlansList = 1000
	// maxUsageList is the longest deviceList of the batch usage queries.
	maxUsageList = 100
)

// fieldRule is what one request field allows: an integer within [min,
// max], one of enum, or a form checked by its handler and described by
// about.
type fieldRule struct {
	min, max int64
	enum     []string
	about    string
}

// allowed states the values the rule allows, as an error's Range: "1-100",
// "0, 1 or 2", or its about.
func (r fieldRule) allowed() string {
	switch {
	case len(r.enum) > 1:
		last := len(r.enum) - 1
		return strings.Join(r.enum[:last], ", ") + " or " + r.enum[last]
	case len(r.enum) > 0:
		return r.enum[0]
	case r.max > 0:
		return opencube.RangeText(r.min, r.max)
	}
	return r.about
}

// fieldRules is the one table of the request fields' values: the
// validator checks them (validator.int, validator.enum, and the handlers
// for the forms described by about), the OpenAPI document states them.
// Every field not listed is free text (an ICCID, a code, a name).
var fieldRules = map[string]fieldRule{
	"page_no":      {min: 1, max: MaxPageNo},
	"page_size":    {min: 1, max: MaxPageSize},
	"order_period": {min: 1, max: opencube.MaxPeriods, about: "the order lasts at most 100 years: 1200 months, or 36524 days"},
	"renew_period": {min: 1, max: opencube.MaxPeriods, about: "the renewed order lasts at most 100 years from its start"},
	"days":         {min: 1, max: opencube.MaxPeriods},
	"timing_type":  {min: 1, max: 2},
	"order_status": {min: 1, max: 6},
	"order_type":   {min: 1, max: 3},

	"global_order":   {enum: []string{"0", "1"}},
	"is_open":        {enum: []string{"0", "1"}},
	"package_type":   {enum: []string{"0", "1", "2", "3", "4", "5"}},
	"pay_rst":        {enum: []string{"1", "2"}},
	"pay_type":       {enum: []string{"0", "1", "2"}},
	"test_flow_flag": {enum: []string{"0", "1"}},
	"keep_alive":     {enum: []string{"0", "1"}},
	"sms_type":       {enum: []string{"0", "1"}},
	"direction":      {enum: []string{string(opencube.SMSMT), string(opencube.SMSMO)}},
	"state": {enum: []string{string(opencube.SMSQueued), string(opencube.SMSSent), string(opencube.SMSDelivered),
		string(opencube.SMSFailed), string(opencube.SMSExpired)}},

	"pay_amount": {about: "a decimal amount 0-999999999999999 with at most two decimals, at most 15 characters"},
	"test_flow":  {about: "test volume in MB, a number 0-" + strconv.Itoa(opencube.MaxTestFlowMB)},
	"mcc":        {about: "an MCC: 3 digits, or empty"},
	"date":       {about: "a UTC+8 day YYYYMMDD of years 2000-9999"},
	"month":      {about: "a UTC+8 month YYYYMM of years 2000-9999"},
	"start_time": {about: epochAbout},
	"end_time":   {about: epochAbout},
	"deviceList": {about: "ICCIDs, distinct: 1-1000 (--max-bulk) for batchOrderPackages, 1-100 for the usage queries, at most 1000 for queryDevicePackages"},
}

const epochAbout = "epoch seconds (fewer than 13 digits) or milliseconds, from 0 to 9999-12-31 23:59:59 UTC+8"

// rule returns the rule of a listed field; an unlisted one is a mistake of
// the code, not of the request.
func rule(name string) fieldRule {
	r, ok := fieldRules[name]
	if !ok {
		panic("csss: no rule for field " + name)
	}
	return r
}

// validDay reports whether t is a day the date fields allow: in years
// opencube.MinYear-MaxYear.
func validDay(t time.Time) bool {
	return t.Year() >= opencube.MinYear && t.Year() <= opencube.MaxYear
}
