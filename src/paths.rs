//! Where paperboy keeps its files: data (the cache), config and logs.

use std::path::{Path, PathBuf};

/// File and directory locations in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_file: PathBuf,
    /// The config file was named (`--config`, `PAPERBOY_CONFIG`): it must exist. The default
    /// one may be absent (defaults then).
    pub config_named: bool,
    pub log_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error("cannot find a home directory for paperboy's files; pass --data-dir DIR or set PAPERBOY_DATA_DIR")]
    NoHome,
}

impl Paths {
    /// The default locations from `directories::ProjectDirs`, overridden by `data_dir` and `config`.
    ///
    /// With an explicit data dir and no explicit config file, the config is `<data dir>/config.toml`
    /// and logs go to `<data dir>/logs`: a data dir given by hand (tests, a second profile) is
    /// self-contained and never picks up the user's own config.
    pub fn resolve(data_dir: Option<&Path>, config: Option<&Path>) -> Result<Paths, PathsError> {
        match data_dir {
            Some(dir) => Ok(Paths {
                data_dir: dir.to_path_buf(),
                config_named: config.is_some(),
                config_file: config
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.join("config.toml")),
                log_dir: dir.join("logs"),
            }),
            None => {
                let dirs = directories::ProjectDirs::from("org", "paperboy", "paperboy")
                    .ok_or(PathsError::NoHome)?;
                let data_dir = dirs.data_dir().to_path_buf();
                let log_dir = dirs
                    .state_dir()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| data_dir.join("logs"));
                Ok(Paths {
                    config_named: config.is_some(),
                    config_file: config
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| dirs.config_dir().join("config.toml")),
                    data_dir,
                    log_dir,
                })
            }
        }
    }

    /// The SQLite cache.
    pub fn db_file(&self) -> PathBuf {
        self.data_dir.join("paperboy.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_data_dir_is_self_contained() {
        let p = Paths::resolve(Some(Path::new("/tmp/x")), None).unwrap();
        assert_eq!(p.config_file, Path::new("/tmp/x/config.toml"));
        assert_eq!(p.db_file(), Path::new("/tmp/x/paperboy.db"));
        assert_eq!(p.log_dir, Path::new("/tmp/x/logs"));
    }

    #[test]
    fn explicit_config_wins() {
        let p = Paths::resolve(Some(Path::new("/d")), Some(Path::new("/c.toml"))).unwrap();
        assert_eq!(p.config_file, Path::new("/c.toml"));
    }
}
