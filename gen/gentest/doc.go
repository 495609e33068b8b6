// Package gentest checks a store's gen.Generator: each store's tests run
// Test on an empty database.
package gentest
