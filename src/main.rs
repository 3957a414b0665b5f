use std::process::ExitCode;

// Loading a bank of 10⁵ questions allocates a few small strings per field; the system allocator
// spent a third of `bank import`'s time there.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    examforge::main_entry()
}
