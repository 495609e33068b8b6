package esim

import (
	"strconv"
	"strings"
)

// Country is a country of the catalog: its MCC (FMS countryCode), ISO
// 3166 code, English name and continent.
type Country struct {
	MCC       string `json:"countryCode"`
	ISO       string `json:"isoCountryName"`
	Name      string `json:"countryName"`
	Continent string `json:"continentsCode"`
}

// Countries are the countries the catalog can name, by MCC. A plan may cover
// an MCC outside this table; it is then listed by its MCC alone.
var Countries = map[string]Country{
	"208": {"208", "FR", "France", "EU"},
	"214": {"214", "ES", "Spain", "EU"},
	"222": {"222", "IT", "Italy", "EU"},
	"234": {"234", "GB", "United Kingdom", "EU"},
	"262": {"262", "DE", "Germany", "EU"},
	"310": {"310", "US", "United States", "NA"},
	"440": {"440", "JP", "Japan", "AS"},
	"450": {"450", "KR", "South Korea", "AS"},
	"454": {"454", "HK", "Hong Kong", "AS"},
	"460": {"460", "CN", "China", "AS"},
	"520": {"520", "TH", "Thailand", "AS"},
	"525": {"525", "SG", "Singapore", "AS"},
}

// Continents names the continent codes.
var Continents = map[string]string{
	"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America", "OC": "Oceania", "SA": "South America",
}

// countryOf returns the country of an MCC, named when Countries has it.
func countryOf(mcc string) Country {
	if c, ok := Countries[mcc]; ok {
		return c
	}
	return Country{MCC: mcc}
}

// countryByISO returns the MCC of an ISO country code or name.
func countryByISO(iso string) string {
	for mcc, c := range Countries {
		if strings.EqualFold(c.ISO, iso) || strings.EqualFold(c.Name, iso) {
			return mcc
		}
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
