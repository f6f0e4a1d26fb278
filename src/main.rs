use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    zhuqi::cli::main_with(zhuqi::cli::Cli::parse())
}
