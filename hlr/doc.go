// Package hlr owns the southbound provisioning of the network's subscriber
// register (HLR/HSS): the Register interface a service provisions SIMs
// through, and its OsmoHLR adapter, which speaks OsmoHLR's CTRL protocol
// (IPA-framed text commands over TCP) and, to list subscribers, its VTY.
//
// An HSS (open5gs, a vendor's) is a second implementation of Register.
package hlr
