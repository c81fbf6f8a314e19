//! [`TaskFeed`]: the task events of the stream, parsed once, for the pages
//! that apply them in place (the services rows, see
//! [`crate::api::row_updates`]).
//!
//! The EventSource pushes; each reader keeps the sequence number it read
//! up to and takes what came after it, so no event is lost between two
//! runs of its effect. The last [`TaskFeed::CAPACITY`] events stay, so a
//! new snapshot of a page replays the events it may not contain yet (the
//! reducer drops the ones it already has).

use std::collections::VecDeque;

use crate::api::row_updates::TaskEvent;

/// The recent task events, numbered in arrival order.
#[derive(Debug, Clone, Default)]
pub struct TaskFeed {
    /// Sequence number of `events[0]`.
    first: u64,
    events: VecDeque<TaskEvent>,
}

impl TaskFeed {
    /// Events kept for replay: several seconds at hundreds of events/s.
    pub const CAPACITY: usize = 2048;

    /// Appends an event, dropping the oldest beyond [`Self::CAPACITY`].
    pub fn push(&mut self, event: TaskEvent) {
        if self.events.len() == Self::CAPACITY {
            self.events.pop_front();
            self.first += 1;
        }
        self.events.push_back(event);
    }

    /// The sequence number the next event will get: read up to here.
    pub fn end(&self) -> u64 {
        self.first + self.events.len() as u64
    }

    /// The events numbered `from` or later that are still kept.
    pub fn since(&self, from: u64) -> impl Iterator<Item = &TaskEvent> {
        let skip = usize::try_from(from.saturating_sub(self.first)).unwrap_or(usize::MAX);
        self.events.iter().skip(skip)
    }
}

#[cfg(test)]
mod tests {
    use super::TaskFeed;
    use crate::api::row_updates::{TaskChange, TaskEvent};

    fn event(n: u64) -> TaskEvent {
        TaskEvent {
            app_id: "/a".into(),
            task_id: format!("t{n}"),
            change: TaskChange::State("TASK_RUNNING".into()),
            at_ms: n,
        }
    }

    #[test]
    fn a_reader_takes_what_came_after_its_mark() {
        let mut feed = TaskFeed::default();
        feed.push(event(1));
        let mark = feed.end();
        feed.push(event(2));
        feed.push(event(3));
        let read: Vec<u64> = feed.since(mark).map(|e| e.at_ms).collect();
        assert_eq!(read, [2, 3]);
        assert_eq!(feed.since(feed.end()).count(), 0);
        assert_eq!(feed.since(0).count(), 3);
    }

    #[test]
    fn the_oldest_events_go_beyond_capacity() {
        let mut feed = TaskFeed::default();
        for n in 0..(TaskFeed::CAPACITY as u64 + 10) {
            feed.push(event(n));
        }
        assert_eq!(feed.end(), TaskFeed::CAPACITY as u64 + 10);
        assert_eq!(feed.since(0).next().map(|e| e.at_ms), Some(10));
        assert_eq!(
            feed.since(feed.end() - 1).map(|e| e.at_ms).collect::<Vec<_>>(),
            [TaskFeed::CAPACITY as u64 + 9]
        );
    }
}
