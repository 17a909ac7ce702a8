//! Writing of `--output` and `--html` files, so that a failed run never leaves half a file and
//! a device, FIFO or link at the path is not replaced by a regular file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes a file at `path` through `write`.
///
/// - A regular file, or a path where nothing is yet, is written to a temporary file beside
///   it and renamed onto it once complete. An existing file keeps its permissions.
/// - A link is followed: the file it names is replaced, and the link stays.
/// - Anything else, such as `/dev/null` or a FIFO, is opened and written in place, because a
///   rename would replace the device or the FIFO with a regular file.
/// - A path ending in `.gz` is written gzip-compressed, one ending in `.zst` zstd-compressed.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let compression = compression_of(path);
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match compression {
            None => write(out),
            Some(Compression::Gzip) => {
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::default());
                write(&mut encoder)?;
                encoder.finish().map(|_| ())
            }
            Some(Compression::Zstd) => {
                let mut encoder = zstd::stream::write::Encoder::new(out, 0)?;
                write(&mut encoder)?;
                encoder.finish().map(|_| ())
            }
        }
    };
    let target = resolve_links(path);
    let existing = fs::metadata(&target).ok();

    if let Some(metadata) = &existing
        && !metadata.is_file()
    {
        if metadata.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory; give a file name",
            ));
        }
        let file = OpenOptions::new().write(true).open(&target)?;
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        return out.flush();
    }

    let temp = temp_path(&target);
    let result = (|| {
        let file = File::create(&temp)?;
        if let Some(metadata) = &existing {
            fs::set_permissions(&temp, metadata.permissions())?;
        }
        let mut out = BufWriter::new(file);
        write(&mut out)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The compression that an output file's extension names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
}

/// Returns the compression a path's extension names: `.gz` or `.zst`.
pub fn compression_of(path: &Path) -> Option<Compression> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "gz" => Some(Compression::Gzip),
        "zst" => Some(Compression::Zstd),
        _ => None,
    }
}

/// Returns the path a chain of links ends at, even when nothing is there yet (a link to a file
/// still to be written), or `path` itself when it is no link.
pub fn resolve_links(path: &Path) -> PathBuf {
    if let Ok(canonical) = fs::canonicalize(path) {
        return canonical;
    }
    let mut current = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP), and so does this.
    for _ in 0..40 {
        let Ok(next) = fs::read_link(&current) else {
            break;
        };
        current = match current.parent() {
            Some(parent) if next.is_relative() => parent.join(next),
            _ => next,
        };
    }
    current
}

/// Returns a hidden temporary name beside `target`, unique to this process.
fn temp_path(target: &Path) -> PathBuf {
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    target.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_text(path: &Path, text: &str) -> io::Result<()> {
        write_file(path, |out| out.write_all(text.as_bytes()))
    }

    #[test]
    fn new_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        write_text(&path, "a,b\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "a,b\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn failed_write_leaves_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        fs::write(&path, "old\n").unwrap();
        let result = write_file(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("analysis failed"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn directory_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let error = write_text(dir.path(), "x").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::IsADirectory);
    }

    #[cfg(unix)]
    #[test]
    fn existing_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_text(&path, "new\n").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn link_stays_and_its_file_is_written() {
        // (whether the file exists before, why): a link to a file, and a dangling link to a
        // file still to be written, by a relative name.
        for (exists, case) in [(true, "existing file"), (false, "dangling link")] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("rows.csv");
            let link = dir.path().join("latest.csv");
            if exists {
                fs::write(&file, "old\n").unwrap();
            }
            std::os::unix::fs::symlink("rows.csv", &link).unwrap();

            write_text(&link, "new\n").unwrap();
            let link_type = fs::symlink_metadata(&link).unwrap().file_type();
            assert!(link_type.is_symlink(), "{case}: the link stays");
            assert_eq!(fs::read_to_string(&file).unwrap(), "new\n", "{case}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn fifo_is_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rows.fifo");
        let created = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !created.is_ok_and(|status| status.success()) {
            eprintln!("mkfifo is not available; skipped");
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        write_text(&fifo, "rows\n").unwrap();
        assert_eq!(reader.join().unwrap(), "rows\n");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
