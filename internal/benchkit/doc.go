// Package benchkit holds what the benchmarks of every package share to
// measure on a busy machine: CPU-time clocks, a loop reporting CPU time per
// operation, and interleaved runs whose ratios hold when the load moves.
package benchkit
