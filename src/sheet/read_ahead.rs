//! Reading a sheet on a second thread, in batches, while the caller grades earlier rows.

use super::reader::{Rejected, Sheet, SheetRow};
use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Rows per batch handed between the threads.
const BATCH: usize = 512;
/// Batches in flight: enough to keep both threads busy, few enough to bound memory.
const IN_FLIGHT: usize = 4;

/// One batch: rows in file order, with the rejected ones at their places.
#[derive(Default)]
struct Batch {
    rows: Vec<SheetRow>,
    /// How many of `rows` are filled.
    len: usize,
    /// (index in the batch, the rejection) for rows that could not be read.
    rejected: Vec<(usize, Rejected)>,
}

/// Rows read ahead on another thread; [`ReadAhead::next`] lends them in order.
pub struct ReadAhead {
    full: Receiver<Batch>,
    empty: SyncSender<Batch>,
    current: Batch,
    at: usize,
    rejected_at: usize,
    reader: Option<JoinHandle<()>>,
}

impl ReadAhead {
    /// Starts reading `sheet` on a new thread.
    pub fn start<R: Read + Send + 'static>(mut sheet: Sheet<R>) -> Self {
        let (full_tx, full_rx) = sync_channel::<Batch>(IN_FLIGHT);
        let (empty_tx, empty_rx) = sync_channel::<Batch>(IN_FLIGHT + 2);
        let reader = std::thread::spawn(move || loop {
            let mut batch = empty_rx.try_recv().unwrap_or_default();
            batch.len = 0;
            batch.rejected.clear();
            let mut ended = false;
            while batch.len < BATCH {
                match sheet.next() {
                    None => {
                        ended = true;
                        break;
                    }
                    Some(Ok(row)) => {
                        match batch.rows.get_mut(batch.len) {
                            Some(slot) => slot.refill_from(row),
                            None => batch.rows.push(row.clone()),
                        }
                        batch.len += 1;
                    }
                    Some(Err(r)) => {
                        if batch.rows.len() <= batch.len {
                            batch.rows.push(SheetRow::default());
                        }
                        batch.rejected.push((batch.len, r));
                        batch.len += 1;
                    }
                }
            }
            if (batch.len > 0 && full_tx.send(batch).is_err()) || ended {
                return;
            }
        });
        ReadAhead {
            full: full_rx,
            empty: empty_tx,
            current: Batch::default(),
            at: 0,
            rejected_at: 0,
            reader: Some(reader),
        }
    }

    /// The next row, or the reason it was rejected; `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<&SheetRow, Rejected>> {
        if self.at >= self.current.len {
            let done = std::mem::take(&mut self.current);
            let _ = self.empty.try_send(done);
            match self.full.recv() {
                Ok(b) => self.current = b,
                Err(_) => {
                    if let Some(h) = self.reader.take() {
                        let _ = h.join();
                    }
                    return None;
                }
            }
            self.at = 0;
            self.rejected_at = 0;
        }
        let i = self.at;
        self.at += 1;
        if let Some((at, _)) = self.current.rejected.get(self.rejected_at) {
            if *at == i {
                let r = self.current.rejected[self.rejected_at].1.clone();
                self.rejected_at += 1;
                return Some(Err(r));
            }
        }
        Some(Ok(&self.current.rows[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_rejections_arrive_in_file_order() {
        let mut text = String::from("candidate,name,team,paper,1,2\n");
        for i in 0..2000 {
            if i % 97 == 5 {
                text.push_str(&format!("{i},short\n"));
            } else {
                text.push_str(&format!("{i},n{i},t,A,B,C\n"));
            }
        }
        let direct: Vec<Result<SheetRow, Rejected>> = Sheet::open(
            "s.csv",
            std::io::Cursor::new(text.clone().into_bytes()),
            None,
        )
        .unwrap()
        .rows()
        .collect();
        let mut ahead = ReadAhead::start(
            Sheet::open("s.csv", std::io::Cursor::new(text.into_bytes()), None).unwrap(),
        );
        let mut threaded = Vec::new();
        while let Some(r) = ahead.next() {
            threaded.push(r.cloned());
        }
        assert_eq!(threaded.len(), 2000);
        assert_eq!(threaded, direct);
        assert!(threaded.iter().filter(|r| r.is_err()).count() > 15);
    }
}
