package esim

import (
	"strconv"
	"strings"

	"github.com/opencube/opencube/geo"
)

// Country is a country of the catalog: its MCC (FMS countryCode), ISO
// 3166 code, English name and continent.
type Country struct {
	MCC       string `json:"countryCode"`
	ISO       string `json:"isoCountryName"`
	Name      string `json:"countryName"`
	Continent string `json:"continentsCode"`
}

// Countries are the countries the catalog can name, by MCC: the geo
// table's. A plan may cover an MCC outside it; it is then listed by its
// MCC alone.
var Countries = func() map[string]Country {
	out := map[string]Country{}
	for _, c := range geo.Countries() {
		for _, mcc := range geo.MCCs(c.ISO) {
			out[mcc] = Country{MCC: mcc, ISO: c.ISO, Name: c.NameEN, Continent: c.Region}
		}
	}
	return out
}()

// Continents names the continent codes (the geo table's regions), in
// English.
var Continents = func() map[string]string {
	out := map[string]string{}
	for code, r := range geo.Regions {
		out[code] = r.NameEN
	}
	return out
}()

// countryOf returns the country of an MCC, named when Countries has it.
func countryOf(mcc string) Country {
	if c, ok := Countries[mcc]; ok {
		return c
	}
	return Country{MCC: mcc}
}

// countryByISO returns the main MCC of an ISO country code or a country
// name (English or Chinese).
func countryByISO(iso string) string {
	if c, ok := geo.Lookup(iso); ok {
		return c.MCC
	}
	return ""
}

// Currency describes a currency for currencyInfos.
type Currency struct {
	ID     int    `json:"currencyId"`
	Abbr   string `json:"currencyAbbr"`
	Name   string `json:"currencyName"`
	Symbol string `json:"currencySymbol"`
	Digits int    `json:"digitsNum"`
}

// Currencies are the currencies the catalog prices in, by code.
var Currencies = map[string]Currency{
	"USD": {1, "USD", "US Dollar", "$", 2},
	"CNY": {2, "CNY", "Chinese Yuan", "¥", 2},
	"EUR": {3, "EUR", "Euro", "€", 2},
	"GBP": {4, "GBP", "Pound Sterling", "£", 2},
	"HKD": {5, "HKD", "Hong Kong Dollar", "HK$", 2},
}

// CurrencyRange states the values of a request's currency: a code of
// Currencies (or currencyId, its id).
const CurrencyRange = "USD, CNY, EUR, GBP or HKD (or currencyId 1-5)"

// currencyOf resolves a currency abbreviation, or a currencyId.
func currencyOf(abbr, id string) (Currency, bool) {
	if c, ok := Currencies[strings.ToUpper(strings.TrimSpace(abbr))]; ok {
		return c, true
	}
	for _, c := range Currencies {
		if id != "" && id == strconv.Itoa(c.ID) {
			return c, true
		}
	}
	return Currency{}, false
}
