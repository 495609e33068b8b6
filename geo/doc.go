// Package geo is the one table of where plans are sold: mobile country
// codes (MCC, ITU-T E.212) to ISO 3166 countries and to regions
// (continents), with their names in English and Chinese. The eSIM
// catalog's countries and continents, the core plans' countries and the
// Mall's area filter all read it.
package geo
