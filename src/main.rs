fn main() -> std::process::ExitCode {
    git_rollback::cli::main()
}
