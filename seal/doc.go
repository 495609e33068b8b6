// Package seal keeps opencube's stored secrets sealed at rest: the
// enterprises' API secrets (HMAC keys, which must be recovered to verify
// signs), the webhook endpoints' secrets, the Cube v4 notification keys and
// the SIMs' authentication data (Ki, OPc). A store encrypts each of them
// with XChaCha20-Poly1305 under a data key (Box) before it writes it, and
// binds it to its place (a purpose and the row's key, as associated data),
// so that a copy of the database, a dump or a backup holds none in clear.
//
// The data key is itself sealed (a Slot) under a master key (Key) that the
// server is given when it starts and that the database never holds: a key
// file of one or more keys, one a line, or the OPENCUBE_MASTER_KEY
// variable. The first key of the list seals; the others only open, so that
// a master key is rotated without stopping: every node is given the new key
// first and the old one after it, Rotate re-seals the data keys under the
// new one, then the old one is dropped. A key check value (Key.Check)
// stored with each sealed data key lets a server given the wrong master
// key say so and refuse to start.
//
// DemoKey is a published key for demonstrations and tests only: what it
// seals is as good as clear. Tokens and passwords are not sealed here: they
// are stored as hashes, never to be recovered.
package seal
