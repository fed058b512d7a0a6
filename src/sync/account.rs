//! The account of `[sync]`: where the server is, who the user is and, read only when a sync
//! runs, the password (from a command, an environment variable, or a private config file).

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::config::SyncConfig;
use crate::text::scrub::scrub_line;

use super::greader::Account;

/// Why the `[sync]` settings give no usable account. Each says what to change.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("no sync account is configured: add a [sync] section to {config} (see README, \"Sync with a server\")")]
    NotConfigured { config: String },
    #[error("[sync] kind = {0:?} is not supported: the only kind is \"greader\" (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux)")]
    Kind(String),
    #[error("[sync] needs {0} in {1}")]
    Missing(&'static str, String),
    #[error("[sync] sets {0}: use exactly one of password_command, password_env and password")]
    TwoPasswords(String),
    #[error("[sync] url {url:?} is not an http(s) URL")]
    BadUrl { url: String },
    #[error("{config} holds the sync password but other users can read it: run `chmod 600 {config}`, or use password_command / password_env instead")]
    Readable { config: String },
    #[error("password_command `{command}` failed: {reason}")]
    Command { command: String, reason: String },
    #[error(
        "password_command `{command}` gave no password within {limit:?} and was stopped: run it \
         by hand to see what it waits for (a locked keyring, a passphrase prompt), or use \
         password_env"
    )]
    CommandTimeout { command: String, limit: Duration },
    #[error("the environment variable {0} (password_env) is not set or empty")]
    Env(String),
}

/// The account `[sync]` names, with its password read now. `config_file` is the file the
/// settings came from (for a plain password, it must be private).
pub fn account(sync: Option<&SyncConfig>, config_file: &Path) -> Result<Account, AccountError> {
    let config = config_file.display().to_string();
    let Some(s) = sync else {
        return Err(AccountError::NotConfigured { config });
    };
    if let Some(kind) = s.kind.as_deref().filter(|k| *k != "greader") {
        return Err(AccountError::Kind(scrub_line(kind)));
    }
    let url = s.url.trim();
    if url.is_empty() {
        return Err(AccountError::Missing("url", config));
    }
    // The parser lowers the scheme: `HTTP://` is http, as RFC 3986 has it.
    let http = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !http {
        return Err(AccountError::BadUrl {
            url: scrub_line(url),
        });
    }
    if s.username.trim().is_empty() {
        return Err(AccountError::Missing("username", config));
    }
    let set: Vec<&str> = [
        s.password_command.as_ref().map(|_| "password_command"),
        s.password_env.as_ref().map(|_| "password_env"),
        s.password.as_ref().map(|_| "password"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if set.len() > 1 {
        return Err(AccountError::TwoPasswords(set.join(" and ")));
    }
    let password = if let Some(argv) = &s.password_command {
        from_command(argv, PASSWORD_COMMAND_LIMIT)?
    } else if let Some(var) = &s.password_env {
        std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| AccountError::Env(scrub_line(var)))?
    } else if let Some(p) = &s.password {
        if readable_by_others(config_file) {
            return Err(AccountError::Readable { config });
        }
        p.clone()
    } else {
        return Err(AccountError::Missing(
            "a password: password_command, password_env or password",
            config,
        ));
    };
    Ok(Account {
        url: url.to_string(),
        username: s.username.trim().to_string(),
        password,
    })
}

/// How long password_command may take: time to unlock a keyring or type a passphrase.
pub const PASSWORD_COMMAND_LIMIT: Duration = Duration::from_secs(30);
/// The most of a password command's output read (its first line is all that is used).
const MAX_COMMAND_OUTPUT: u64 = 64 * 1024;

/// The password commands running now. [`stop_password_commands`] kills them, so that none
/// outlives paperboy (the reader runs them on a worker thread that quitting does not wait for).
static RUNNING: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// Kills every password command still running; called when paperboy quits.
pub fn stop_password_commands() {
    let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
    for mut child in running.drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Runs the command without a shell, for at most `limit`; its first line of output is the
/// password.
fn from_command(argv: &[String], limit: Duration) -> Result<String, AccountError> {
    let command = argv
        .iter()
        .map(|a| scrub_line(a))
        .collect::<Vec<_>>()
        .join(" ");
    let fail = |reason: String| AccountError::Command {
        command: command.clone(),
        reason,
    };
    let timeout = || AccountError::CommandTimeout {
        command: command.clone(),
        limit,
    };
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| fail("the command is empty".to_string()))?;
    let deadline = Instant::now() + limit;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    // Read on their own threads: a command that fills a pipe must not stall the wait, and one
    // whose own child keeps a pipe open must not stall paperboy.
    let stdout = read_pipe(child.stdout.take());
    let stderr = read_pipe(child.stderr.take());
    let id = child.id();
    RUNNING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(child);
    let status = loop {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(i) = running.iter().position(|c| c.id() == id) else {
            return Err(fail("it was stopped: paperboy is quitting".to_string()));
        };
        match running[i].try_wait() {
            Ok(None) if Instant::now() < deadline => {}
            waited => {
                let mut child = running.swap_remove(i);
                drop(running);
                if let Ok(Some(status)) = waited {
                    break status;
                }
                let _ = child.kill();
                let _ = child.wait();
                return Err(match waited {
                    Err(e) => fail(e.to_string()),
                    _ => timeout(),
                });
            }
        }
        drop(running);
        std::thread::sleep(Duration::from_millis(10));
    };
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    if !status.success() {
        let said = stderr.recv_timeout(wait).unwrap_or_default();
        let said = String::from_utf8_lossy(&said);
        let first = said.lines().next().map(scrub_line).unwrap_or_default();
        return Err(fail(format!("{status} {first}").trim().to_string()));
    }
    let out = stdout.recv_timeout(wait).map_err(|_| timeout())?;
    let text = String::from_utf8(out).map_err(|_| fail("its output is not UTF-8".into()))?;
    let line = text.lines().next().unwrap_or("").to_string();
    if line.is_empty() {
        return Err(fail("it printed no password".to_string()));
    }
    Ok(line)
}

/// What a pipe gives until it closes, [`MAX_COMMAND_OUTPUT`] bytes at most, read on a thread
/// of its own.
fn read_pipe(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(MAX_COMMAND_OUTPUT).read_to_end(&mut out);
        }
        let _ = tx.send(out);
    });
    rx
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    // A file that cannot be inspected is not known to be private.
    std::fs::metadata(path).map_or(true, |m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync(extra: &str) -> SyncConfig {
        let text = format!(
            "[sync]\nurl = \"http://127.0.0.1:1/api/greader.php\"\nusername = \"alice\"\n{extra}"
        );
        crate::config::Config::from_toml(&text, "t")
            .unwrap()
            .config
            .sync
            .unwrap()
    }

    fn private_file(mode: u32) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        }
        f
    }

    #[test]
    fn a_plain_password_needs_a_private_file() {
        let s = sync("password = \"pw\"\n");
        let open = private_file(0o644);
        let err = account(Some(&s), open.path()).unwrap_err();
        assert!(matches!(err, AccountError::Readable { .. }), "{err}");
        assert!(err.to_string().contains("chmod 600"), "{err}");
        assert!(!err.to_string().contains("pw\""), "{err}");
        let closed = private_file(0o600);
        let a = account(Some(&s), closed.path()).unwrap();
        assert_eq!(a.password, "pw");
        assert_eq!(a.username, "alice");
    }

    #[test]
    fn the_password_comes_from_a_command_without_a_shell() {
        let f = private_file(0o644);
        let s =
            sync("password_command = [\"printf\", \"%s\\n%s\", \"se cret\", \"second line\"]\n");
        assert_eq!(account(Some(&s), f.path()).unwrap().password, "se cret");
        let s = sync("password_command = [\"sh\", \"-c\", \"echo nope >&2; exit 3\"]\n");
        let err = account(Some(&s), f.path()).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
        let s = sync("password_command = [\"/nonexistent/pass\"]\n");
        assert!(account(Some(&s), f.path()).is_err());
        // `$(...)` is one argument, never run.
        let s = sync("password_command = [\"echo\", \"$(id)\"]\n");
        assert_eq!(account(Some(&s), f.path()).unwrap().password, "$(id)");
    }

    /// The pids of this process's children named `name` (from /proc).
    fn children_named(name: &str) -> Vec<u32> {
        let me = std::process::id().to_string();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                // `pid (comm) state ppid …`
                let Some((comm, rest)) = stat.split_once(") ") else {
                    return false;
                };
                comm.ends_with(&format!("({name}"))
                    && rest.split_whitespace().nth(1) == Some(me.as_str())
            })
            .collect()
    }

    #[test]
    fn a_password_command_that_hangs_is_stopped_at_the_limit() {
        let argv = ["sleep".to_string(), "100".to_string()];
        let start = Instant::now();
        let err = from_command(&argv, Duration::from_millis(300)).unwrap_err();
        let took = start.elapsed();
        assert!(matches!(err, AccountError::CommandTimeout { .. }), "{err}");
        assert!(took < Duration::from_secs(5), "took {took:?}");
        let shown = err.to_string();
        assert!(
            shown.contains("`sleep 100`") && shown.contains("300ms") && shown.contains("by hand"),
            "{shown}"
        );
        assert!(
            children_named("sleep").is_empty(),
            "the command is killed and reaped: {:?}",
            children_named("sleep")
        );
        assert_eq!(PASSWORD_COMMAND_LIMIT, Duration::from_secs(30));
    }

    #[test]
    fn the_password_comes_from_the_environment() {
        let f = private_file(0o644);
        let unset = sync("password_env = \"PAPERBOY_TEST_NEVER_SET_4711\"\n");
        assert!(matches!(
            account(Some(&unset), f.path()),
            Err(AccountError::Env(_))
        ));
        // A variable every test process has (tests never set variables: threads share them).
        let s = sync("password_env = \"PATH\"\n");
        let path = std::env::var("PATH").unwrap();
        assert_eq!(account(Some(&s), f.path()).unwrap().password, path);
    }

    #[test]
    fn settings_that_cannot_work_say_what_to_change() {
        let f = private_file(0o600);
        assert!(matches!(
            account(None, f.path()),
            Err(AccountError::NotConfigured { .. })
        ));
        let two = sync("password = \"a\"\npassword_env = \"B\"\n");
        assert!(matches!(
            account(Some(&two), f.path()),
            Err(AccountError::TwoPasswords(_))
        ));
        let none = sync("");
        assert!(matches!(
            account(Some(&none), f.path()),
            Err(AccountError::Missing(..))
        ));
        let kind = sync("kind = \"ttrss\"\npassword = \"a\"\n");
        assert!(matches!(
            account(Some(&kind), f.path()),
            Err(AccountError::Kind(_))
        ));
        let mut bad = sync("password = \"a\"\n");
        bad.url = "ftp://x".into();
        assert!(matches!(
            account(Some(&bad), f.path()),
            Err(AccountError::BadUrl { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_password() {
        let s = sync("password = \"hunter2\"\n");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
