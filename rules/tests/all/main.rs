//! The integration tests of `entra-rules`, linked as one test binary (one module per
//! concern; `tests/corpus.txt` is shared by `corpus` and `no_panic`).

mod corpus;
mod depth;
mod no_panic;
mod roundtrip;
mod rule;
