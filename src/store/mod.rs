//! (being written)
// NOTE TO THE STORE HELPER: your prompt said "$(cat /tmp/common.md)" -- that was meant to include the
// working rules: read /tmp/common.md now and follow them (edit only src/store/, do not commit, etc.).
