// Package crossarch holds the test that holds auwatchd built for another
// processor, run under an emulator, to the agreement figures of the build
// for this one (`make test-arm64`). It has no code of its own.
package crossarch
