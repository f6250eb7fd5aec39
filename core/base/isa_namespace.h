#pragma once
// The namespace that keeps each instruction set's copy of the kernels apart.
//
// The kernel headers (vector operations, objectives, walks, the training loop) are compiled into
// several translation units with different -march flags (core/dispatch/). Their inline functions
// and template instantiations would otherwise share one mangled name across those units, and the
// linker would keep whichever copy it met first: AVX-512 code could then run on a CPU without it.
// Each kernel header therefore puts its contents in W2V_ISA_BEGIN ... W2V_ISA_END, an inline
// namespace named after the unit's instruction set (W2V_ISA_NAME, set by the build for the
// dispatched units; `build` for every other unit, compiled for the build's own baseline), so
// code names them as w2v::dot, w2v::train_with, and each unit's copies are its own.
//
// A header inside the region must not define variables that need dynamic initialisation: a
// dispatched unit's static initialisers run at start on every CPU, whatever it supports.

#if !defined(W2V_ISA_NAME)
#define W2V_ISA_NAME isa_build
#endif

#define W2V_ISA_BEGIN inline namespace W2V_ISA_NAME {
#define W2V_ISA_END }
