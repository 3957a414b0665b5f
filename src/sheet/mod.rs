//! Scanner CSVs: encodings, known layouts, and cells turned into marks with a status.
