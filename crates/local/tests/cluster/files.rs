//! Task output through `dromos_local::files`: windows of the sandbox files of
//! a real process, and a follow stream that ends once the task has ended
//! and everything was sent.

use dromos_local::files::{self, FollowEvent, SandboxFile, Window};
use dromos_mesos::v1::{CommandInfo, TaskState};
use futures_util::StreamExt;

use crate::support::{Harness, WAIT};

#[tokio::test]
async fn output_is_read_by_window_and_followed_to_the_end() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("logs").await;
    let offer = fw.offers().await.remove(0);
    let script =
        "for i in 1 2 3 4 5; do echo line-$i; sleep 0.2; done; printf 'caf\\303\\251\\n'; echo bad >&2";
    fw.launch(&offer, "talker", CommandInfo::shell(script)).await;
    fw.update("talker", TaskState::Running).await;

    let sandbox = harness.cluster.task_sandbox("talker").await.expect("a known task");
    assert_eq!(sandbox.dir.file_name().and_then(|n| n.to_str()), Some("talker"));
    let follow =
        files::follow(harness.cluster.clone(), "talker".into(), &sandbox.dir, SandboxFile::Stdout, Some(0));
    let events: Vec<FollowEvent> =
        tokio::time::timeout(WAIT, follow.collect()).await.expect("the follow stream ends with the task");
    let expected = "line-1\nline-2\nline-3\nline-4\nline-5\ncafé\n";
    let Some((FollowEvent::Eof { offset }, chunks)) = events.split_last() else {
        panic!("the last event is EOF: {events:?}");
    };
    assert_eq!(*offset, expected.len() as u64);
    let mut next = 0;
    let mut text = String::new();
    for event in chunks {
        let FollowEvent::Data(chunk) = event else { panic!("one EOF only: {events:?}") };
        assert_eq!(chunk.offset, next, "chunks are contiguous");
        next += chunk.data.len() as u64;
        text.push_str(&chunk.data);
    }
    assert_eq!(text, expected);
    assert!(chunks.len() >= 2, "output arrived while the task ran: {chunks:?}");
    fw.update("talker", TaskState::Finished).await;

    let done = harness.cluster.task_sandbox("talker").await.expect("a finished task is still known");
    assert!(done.terminal);
    let stdout = done.dir.join("stdout");
    let tail = files::read(&stdout, Window::Tail(6)).await.unwrap();
    assert_eq!((tail.data.as_str(), tail.offset), ("café\n", expected.len() as u64 - 6));
    let split = files::read(&stdout, Window::Tail(2)).await.unwrap();
    assert_eq!((split.data.as_str(), split.offset), ("\n", expected.len() as u64 - 1), "no half character");
    let size = files::read(&stdout, Window::Size).await.unwrap();
    assert_eq!((size.data.as_str(), size.offset), ("", expected.len() as u64));
    let stderr =
        files::read(&done.dir.join("stderr"), Window::From { offset: 0, length: None }).await.unwrap();
    assert_eq!(stderr.data, "bad\n");

    // Following a finished task sends what is left, then EOF at once.
    let rest: Vec<FollowEvent> =
        files::follow(harness.cluster.clone(), "talker".into(), &done.dir, SandboxFile::Stdout, None)
            .collect()
            .await;
    assert_eq!(rest.last(), Some(&FollowEvent::Eof { offset: expected.len() as u64 }));

    for unknown in ["nope", "..", "../talker", ""] {
        assert_eq!(harness.cluster.task_sandbox(unknown).await, None, "{unknown:?}");
    }
}
