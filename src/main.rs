use std::process::ExitCode;

fn main() -> ExitCode {
    examforge::main_entry()
}
