//! A task's sandbox output files (`stdout`, `stderr`), read by byte window
//! as Mesos' agent `/files/read` answers them, and followed as they grow.
//!
//! * [`read`]: one window of a file: `{data, offset}`. Bytes that are not
//!   UTF-8 are replaced (U+FFFD), so the answer is always JSON text. A file
//!   the task has not created yet reads as empty.
//! * [`follow`]: a stream of [`FollowEvent`]s for one task's file: every
//!   chunk appended since the start offset, then [`FollowEvent::Eof`] once the
//!   task is terminal and the file has been sent to its end. The file size is
//!   polled every [`FOLLOW_POLL`] (a `stat`, plus one question to the master
//!   actor while nothing new arrived); chunks end on a character boundary
//!   while more may follow, so no character is split between two events.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::Stream;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::cluster::LocalCluster;

/// What a read without an offset returns: the end of the file.
pub const DEFAULT_TAIL: u64 = 64 * 1024;
/// The largest window one read returns (larger `length`s are capped).
pub const MAX_LENGTH: u64 = 1024 * 1024;
/// The largest chunk one follow event carries.
const FOLLOW_CHUNK: u64 = 64 * 1024;
/// How often a follower looks for new output.
pub const FOLLOW_POLL: Duration = Duration::from_millis(200);

/// One of the two output files every sandbox has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxFile {
    /// The task's standard output.
    Stdout,
    /// The task's standard error.
    Stderr,
}

impl SandboxFile {
    /// `stdout` or `stderr`; None for any other name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "stdout" => Some(Self::Stdout),
            "stderr" => Some(Self::Stderr),
            _ => None,
        }
    }

    /// The file name in the sandbox.
    pub fn name(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// Where a task's sandbox is, and whether the task has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSandbox {
    /// The sandbox directory.
    pub dir: PathBuf,
    /// True once the task is terminal (or is only known from its sandbox).
    pub terminal: bool,
}

/// Which bytes of a file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// None: just the current size (`offset=-1`).
    Size,
    /// The last `n` bytes (starting on a character boundary).
    Tail(u64),
    /// From `offset`, at most `length` bytes (capped at [`MAX_LENGTH`]);
    /// `None` reads to the end (also capped).
    From {
        /// First byte.
        offset: u64,
        /// Most bytes wanted.
        length: Option<u64>,
    },
}

/// A window of a file, in Mesos' `/files/read` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChunk {
    /// The bytes read, as text (invalid UTF-8 replaced).
    pub data: String,
    /// Offset of the first byte of `data` (or the size, for [`Window::Size`]).
    pub offset: u64,
}

/// One message of a follow stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEvent {
    /// New output.
    Data(FileChunk),
    /// The task is terminal and everything was sent.
    Eof {
        /// The final size of the file.
        offset: u64,
    },
}

/// Reads `window` of `path` (a missing file is empty).
pub async fn read(path: &Path, window: Window) -> std::io::Result<FileChunk> {
    let size = file_size(path).await?;
    let (offset, length) = match window {
        Window::Size => return Ok(FileChunk { data: String::new(), offset: size }),
        Window::Tail(n) => (size.saturating_sub(n.min(MAX_LENGTH)), MAX_LENGTH),
        Window::From { offset, length } => (offset, length.unwrap_or(MAX_LENGTH).min(MAX_LENGTH)),
    };
    let mut bytes = read_bytes(path, offset, length.min(size.saturating_sub(offset))).await?;
    let mut offset = offset;
    if matches!(window, Window::Tail(_)) && offset > 0 {
        let skip = leading_continuation_bytes(&bytes);
        bytes.drain(..skip);
        offset += skip as u64;
    }
    Ok(FileChunk { data: String::from_utf8_lossy(&bytes).into_owned(), offset })
}

/// The size of `path`; 0 when it does not exist (yet).
pub async fn file_size(path: &Path) -> std::io::Result<u64> {
    match tokio::fs::metadata(path).await {
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

async fn read_bytes(path: &Path, offset: u64, length: u64) -> std::io::Result<Vec<u8>> {
    if length == 0 {
        return Ok(Vec::new());
    }
    let mut file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    file.seek(SeekFrom::Start(offset)).await?;
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    file.take(length).read_to_end(&mut bytes).await?;
    Ok(bytes)
}

/// UTF-8 continuation bytes at the start (at most 3): the tail of a
/// character whose beginning lies before the window.
fn leading_continuation_bytes(bytes: &[u8]) -> usize {
    bytes.iter().take(3).take_while(|b| (**b & 0xC0) == 0x80).count()
}

/// Length of `bytes` without a trailing, incomplete UTF-8 character (whose
/// remaining bytes are not written yet).
fn complete_prefix(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for back in 1..=len.min(4) {
        let byte = bytes[len - back];
        if byte & 0xC0 == 0x80 {
            continue;
        }
        let needed = match byte {
            b if b & 0x80 == 0 => 1,
            b if b & 0xE0 == 0xC0 => 2,
            b if b & 0xF0 == 0xE0 => 3,
            b if b & 0xF8 == 0xF0 => 4,
            _ => return len,
        };
        return if needed > back { len - back } else { len };
    }
    len
}

/// State of one follower.
struct Follower {
    cluster: LocalCluster,
    task_id: String,
    path: PathBuf,
    /// Next byte to send; None until the start was resolved.
    offset: Option<u64>,
    /// Tail size used when no start offset was given.
    tail: u64,
    finished: bool,
}

/// Follows `file` of task `task_id` (whose sandbox is `sandbox`) from `start`
/// (None: the last [`DEFAULT_TAIL`] bytes), until the task is terminal and
/// the whole file was sent. I/O errors end the stream (logged).
pub fn follow(
    cluster: LocalCluster,
    task_id: String,
    sandbox: &Path,
    file: SandboxFile,
    start: Option<u64>,
) -> impl Stream<Item = FollowEvent> + Send + 'static {
    let follower = Follower {
        cluster,
        task_id,
        path: sandbox.join(file.name()),
        offset: start,
        tail: DEFAULT_TAIL,
        finished: false,
    };
    futures_util::stream::unfold(follower, |mut f| async move {
        if f.finished {
            return None;
        }
        match f.next_event().await {
            Ok(event) => {
                f.finished = matches!(event, FollowEvent::Eof { .. });
                Some((event, f))
            }
            Err(error) => {
                tracing::warn!(task_id = %f.task_id, path = %f.path.display(), %error, "cannot follow task output");
                None
            }
        }
    })
}

impl Follower {
    /// Waits for the next chunk, or the end.
    async fn next_event(&mut self) -> std::io::Result<FollowEvent> {
        loop {
            let size = file_size(&self.path).await?;
            let offset = match self.offset {
                Some(offset) => offset.min(size),
                None => {
                    let chunk = read(&self.path, Window::Tail(self.tail)).await?;
                    chunk.offset
                }
            };
            // Terminal is checked before the size is read again, so output
            // written just before the end is still sent.
            let terminal = self.cluster.task_sandbox(&self.task_id).await.is_none_or(|s| s.terminal);
            let size = file_size(&self.path).await?;
            if size > offset {
                let length = (size - offset).min(FOLLOW_CHUNK);
                let mut bytes = read_bytes(&self.path, offset, length).await?;
                let more_may_come = !terminal || offset + length < size;
                if more_may_come {
                    let keep = complete_prefix(&bytes);
                    if keep > 0 {
                        bytes.truncate(keep);
                    }
                }
                self.offset = Some(offset + bytes.len() as u64);
                let data = String::from_utf8_lossy(&bytes).into_owned();
                return Ok(FollowEvent::Data(FileChunk { data, offset }));
            }
            self.offset = Some(offset);
            if terminal {
                return Ok(FollowEvent::Eof { offset });
            }
            tokio::time::sleep(FOLLOW_POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{complete_prefix, leading_continuation_bytes, read, FileChunk, Window, MAX_LENGTH};

    #[test]
    fn incomplete_trailing_characters_are_held_back() {
        let euro = "€".as_bytes(); // 3 bytes
        let cases: [(&[u8], usize); 5] = [
            (b"abc", 3),
            (&[b'a', euro[0]], 1),
            (&[b'a', euro[0], euro[1]], 1),
            (&[b'a', euro[0], euro[1], euro[2]], 4),
            (&[b'a', 0xFF], 2),
        ];
        for (bytes, want) in cases {
            assert_eq!(complete_prefix(bytes), want, "{bytes:?}");
        }
    }

    #[test]
    fn a_window_starting_inside_a_character_skips_its_tail() {
        let euro = "€".as_bytes();
        assert_eq!(leading_continuation_bytes(&[euro[1], euro[2], b'x']), 2);
        assert_eq!(leading_continuation_bytes(b"xyz"), 0);
    }

    #[tokio::test]
    async fn windows_read_tails_ranges_and_sizes_and_replace_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stdout");
        std::fs::write(&path, b"hello \xFF world\n").unwrap();
        let read_at = |w| read(&path, w);
        assert_eq!(read_at(Window::Size).await.unwrap(), FileChunk { data: String::new(), offset: 14 });
        assert_eq!(
            read_at(Window::From { offset: 0, length: Some(5) }).await.unwrap(),
            FileChunk { data: "hello".into(), offset: 0 }
        );
        assert_eq!(
            read_at(Window::From { offset: 6, length: None }).await.unwrap(),
            FileChunk { data: "\u{FFFD} world\n".into(), offset: 6 }
        );
        assert_eq!(read_at(Window::Tail(6)).await.unwrap(), FileChunk { data: "world\n".into(), offset: 8 });
        assert_eq!(
            read_at(Window::From { offset: 100, length: Some(MAX_LENGTH * 4) }).await.unwrap(),
            FileChunk { data: String::new(), offset: 100 }
        );
        let missing = read(&dir.path().join("stderr"), Window::Tail(10)).await.unwrap();
        assert_eq!(missing, FileChunk { data: String::new(), offset: 0 });
    }
}
