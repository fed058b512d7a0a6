//! Diagnostics and the keys table.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use paperboy::paths::Paths;
use paperboy::text::render::count;
use paperboy::text::scrub::scrub_line;

/// Paths, cache, config and browser, checked one by one; exit 1 if the cache or the config is
/// wrong (a missing browser is reported, not failed: it does not harm the cache).
pub(super) fn doctor(paths: &Paths) -> Result<ExitCode> {
    let mut ok = true;
    println!("paperboy {}", env!("CARGO_PKG_VERSION"));
    println!("data dir     {}", paths.data_dir.display());
    println!("log dir      {}", paths.log_dir.display());
    let db = paths.db_file();
    match std::fs::metadata(&db) {
        Ok(m) => println!(
            "cache        {} ({:.1} MiB)",
            db.display(),
            m.len() as f64 / 1048576.0
        ),
        Err(_) => println!("cache        {} (not created yet)", db.display()),
    }
    let config = match paperboy::config::Config::load_for(paths) {
        Ok(loaded) => {
            let state = if paths.config_file.exists() {
                "found"
            } else {
                "not found; defaults in use"
            };
            println!("config       {} ({state})", paths.config_file.display());
            for w in &loaded.warnings {
                println!("  warning: {w}");
            }
            loaded.config
        }
        Err(e) => {
            ok = false;
            println!("config       {e}");
            paperboy::config::Config::default()
        }
    };
    if db.exists() {
        match paperboy::store::Store::open(&db) {
            Ok(store) => {
                match store.stats() {
                    Ok(s) => println!(
                        "schema       version {} (this paperboy: {})\nholds        {}, {} ({} unread), {}",
                        s.schema_version,
                        paperboy::store::Store::SCHEMA_VERSION,
                        count(s.feeds, "feed", "feeds"),
                        count(s.entries, "entry", "entries"),
                        s.unread,
                        count(s.dois, "DOI", "DOIs")
                    ),
                    Err(e) => {
                        ok = false;
                        println!("schema       cannot read: {e}");
                    }
                }
                match store.integrity_check() {
                    Ok(r) if r == "ok" => println!("integrity    ok"),
                    Ok(r) => {
                        ok = false;
                        println!("integrity    {}", scrub_line(&r));
                    }
                    Err(e) => {
                        ok = false;
                        println!("integrity    cannot check: {e}");
                    }
                }
            }
            Err(e) => {
                ok = false;
                println!("schema       cannot open the cache: {e}");
            }
        }
    }
    let command = paperboy::open::browser_command(
        config.browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );
    // No browser is the normal case on a headless (SSH) machine: said, but not a failed check.
    match command.first() {
        Some(program) => {
            let found = find_program(program);
            println!(
                "browser      {} ({})",
                scrub_line(&command.join(" ")),
                match &found {
                    Some(p) => format!("found at {}", p.display()),
                    None => "NOT FOUND: links will not open; set `browser` in config.toml, \
                             $BROWSER or PAPERBOY_BROWSER to open them here"
                        .to_string(),
                }
            );
        }
        None => println!("browser      none configured (links will not open)"),
    }
    println!(
        "resolver     {}",
        paperboy::library::citations::resolver_base(&config.doi.resolver)
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The program as the OS would find it: a path, or a name looked up in PATH.
pub(super) fn find_program(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|c| c.is_file())
    })
}

/// The reader's keys as Markdown tables, one per pane: the same keymap the reader and its help
/// overlay use.
pub fn keys_markdown(rebinds: &std::collections::BTreeMap<String, Vec<String>>) -> String {
    let keymap = paperboy::tui::keymap::Keymap::from_config(rebinds);
    let mut out = String::new();
    for (ctx, rows) in keymap.help_sections() {
        out.push_str(&format!(
            "**{}**\n\n| keys | does |\n| --- | --- |\n",
            ctx.title()
        ));
        for (keys, help) in rows {
            let keys: Vec<String> = keys
                .split(' ')
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            out.push_str(&format!("| {} | {} |\n", keys.join(" "), help));
        }
        out.push('\n');
    }
    out
}
