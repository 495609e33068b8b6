// Package addon holds the vocabulary of add-on bundles: extra volume a SIM
// gets for the rest of the current period of its basic order (Cube v4
// bundle_type 11), spent by rating once the basic order's volume is used
// up, and the store interfaces that keep add-ons. Like the root package it
// imports only the standard library and the root.
package addon
