// Package gen describes the synthetic data sets of the benchmarks (a
// million SIMs, ten million usage rows), which each store builds in bulk
// with Generator: `opencube gen` and the stores' list and usage benchmarks
// use it.
package gen
