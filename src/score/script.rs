//! rhai rule scripts: `score`, `total` and `team` hooks in a sandboxed engine.
