// Package operator is the vocabulary beside the protocols' (the root
// package's): what the operator API and the console speak of (users,
// roles, API tokens, the audit trail, console sessions, list queries and
// cursors, the operator's changes, the subscriber register's standing),
// what a server runs on (background jobs, node numbers, the sandbox
// clock, readiness, the backlog an operator watches), and Cube v4's own
// records (public keys, renewal orders, asynchronous SIM operations),
// with the store interfaces that keep them. Like the root, it imports only
// the standard library and the root; the root stays the domain of the
// protocols, small enough to read in one sitting.
package operator
