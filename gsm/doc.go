// Package gsm owns how a short message's text travels: the GSM 03.38
// default alphabet and its extension table, UCS-2 for everything else, and
// how a text or binary payload is split into the segments a network sends
// (single and concatenated). It imports only the standard library; the SMS
// service counts segments with it and the Kannel gateway names encodings
// with it.
package gsm
