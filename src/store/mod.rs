//! The competition's database: one code path over SQLite (a file beside the competition file, WAL,
//! `synchronous = NORMAL`) and PostgreSQL (for several `serve` processes behind a load balancer),
//! through sqlx's `Any` driver and one set of migrations written for both.
//!
//! Every statement is parameterised (`$1`, `$2`, … — both backends read them); nothing is
//! formatted into SQL. Times are Unix milliseconds.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database `{url}`")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate the database to this version of examforge")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error")]
    Query(#[from] sqlx::Error),
}

/// The migrations, embedded in the binary.
#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>>
                + Send
                + 'static,
        >,
    > {
        Box::pin(async {
            Ok(vec![Migration::new(
                1,
                Cow::Borrowed("competition"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("migrations/0001_competition.sql")),
                false,
            )])
        })
    }
}

/// A candidate's signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The candidate's id, or `admin`-prefixed for an organiser.
    pub who: String,
    pub csrf: String,
}

/// One attempt at a round.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub candidate: String,
    pub round: String,
    pub n: i64,
    pub started: i64,
    pub deadline: i64,
    pub items: i64,
    pub paper: String,
    pub submitted: Option<i64>,
    pub score: Option<f64>,
    pub max_points: Option<f64>,
    pub marks: Option<String>,
    pub voided: Option<String>,
}

/// An attempt's state for the hot path (saving an answer), without its paper.
#[derive(Debug, Clone, Copy)]
pub struct AttemptState {
    pub n: i64,
    pub deadline: i64,
    pub items: i64,
    pub closed: bool,
}

/// A round's open/close times as changed by an organiser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Override {
    pub opens: Option<i64>,
    pub closes: Option<i64>,
}

/// The database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    postgres: bool,
}

/// An attempt's outcome: what rankings read.
const OUTCOME_COLUMNS: &str =
    "candidate, round, n, started, deadline, items, submitted, score, max_points, voided";
/// The whole attempt: its outcome, then its paper and marks.
const ATTEMPT_COLUMNS: &str = "candidate, round, n, started, deadline, items, submitted, score, max_points, voided, paper, marks";

/// An attempt from a row of [`ATTEMPT_COLUMNS`], or of [`OUTCOME_COLUMNS`] (paper and marks
/// then empty).
fn attempt(r: &AnyRow) -> Result<Attempt, sqlx::Error> {
    let whole = r.len() > 10;
    Ok(Attempt {
        candidate: r.try_get(0)?,
        round: r.try_get(1)?,
        n: r.try_get(2)?,
        started: r.try_get(3)?,
        deadline: r.try_get(4)?,
        items: r.try_get(5)?,
        submitted: r.try_get(6)?,
        score: r.try_get(7)?,
        max_points: r.try_get(8)?,
        voided: r.try_get(9)?,
        paper: if whole { r.try_get(10)? } else { String::new() },
        marks: if whole { r.try_get(11)? } else { None },
    })
}

impl Store {
    /// Opens (creating and migrating) the database at `url`: `sqlite://PATH` or `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let url_full = if postgres || url.contains('?') {
            url.to_string()
        } else {
            format!("{url}?mode=rwc")
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 8 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if !postgres {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url_full)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(url),
                source,
            })?;
        let migrator = Migrator::new(Embedded).await.map_err(StoreError::Migrate)?;
        migrator.run(&pool).await.map_err(StoreError::Migrate)?;
        Ok(Store { pool, postgres })
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Stores the hash of a candidate's code, replacing any earlier one.
    pub async fn set_code(&self, candidate: &str, hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO codes (candidate, code_hash, issued) VALUES ($1, $2, $3) \
             ON CONFLICT (candidate) DO UPDATE SET code_hash = excluded.code_hash, issued = excluded.issued",
        )
        .bind(candidate)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many candidates hold a code.
    pub async fn code_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM codes")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// The candidate whose code hashes to `hash`.
    pub async fn candidate_by_code(&self, hash: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query("SELECT candidate FROM codes WHERE code_hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?,
        )
    }

    /// Records a failed sign-in from `client`.
    pub async fn signin_failed(&self, client: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO signin_failures (client, at) VALUES ($1, $2)")
            .bind(client)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins from `client` since `since`.
    pub async fn signin_failures(&self, client: &str, since: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM signin_failures WHERE client = $1 AND at >= $2")
                .bind(client)
                .bind(since)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Creates a session.
    pub async fn create_session(
        &self,
        token_hash: &str,
        who: &str,
        csrf: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, who, csrf, created) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(who)
        .bind(csrf)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session whose token hashes to `token_hash`.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query("SELECT who, csrf FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(Session {
                who: r.try_get(0)?,
                csrf: r.try_get(1)?,
            }),
            None => None,
        })
    }

    /// Ends a session.
    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every round's organiser changes.
    pub async fn overrides(&self) -> Result<Vec<(String, Override)>, StoreError> {
        let rows = sqlx::query("SELECT round, opens, closes FROM round_overrides")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    Override {
                        opens: r.try_get(1)?,
                        closes: r.try_get(2)?,
                    },
                ))
            })
            .collect()
    }

    /// A round's organiser changes.
    pub async fn round_override(&self, round: &str) -> Result<Override, StoreError> {
        let row = sqlx::query("SELECT opens, closes FROM round_overrides WHERE round = $1")
            .bind(round)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Override {
                opens: r.try_get(0)?,
                closes: r.try_get(1)?,
            },
            None => Override::default(),
        })
    }

    /// Opens (`opens`) or closes (`closes`) a round at a time other than the file's.
    pub async fn set_override(&self, round: &str, o: Override) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO round_overrides (round, opens, closes) VALUES ($1, $2, $3) \
             ON CONFLICT (round) DO UPDATE SET opens = excluded.opens, closes = excluded.closes",
        )
        .bind(round)
        .bind(o.opens)
        .bind(o.closes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Extra minutes a candidate has on a round.
    pub async fn extension(&self, candidate: &str, round: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT minutes FROM extensions WHERE candidate = $1 AND round = $2")
                .bind(candidate)
                .bind(round)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(0),
        )
    }

    /// Gives a candidate `minutes` more on a round: on the attempt under way, and on any later one.
    pub async fn extend(
        &self,
        candidate: &str,
        round: &str,
        minutes: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO extensions (candidate, round, minutes) VALUES ($1, $2, $3) \
             ON CONFLICT (candidate, round) DO UPDATE SET minutes = extensions.minutes + excluded.minutes",
        )
        .bind(candidate)
        .bind(round)
        .bind(minutes)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE attempts SET deadline = deadline + $3 \
             WHERE candidate = $1 AND round = $2 AND submitted IS NULL",
        )
        .bind(candidate)
        .bind(round)
        .bind(minutes * 60_000)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts attempt `n` unless it exists (another request may have started it): true if started.
    pub async fn start_attempt(&self, a: &Attempt) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO attempts (candidate, round, n, started, deadline, items, paper) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (candidate, round, n) DO NOTHING",
        )
        .bind(&a.candidate)
        .bind(&a.round)
        .bind(a.n)
        .bind(a.started)
        .bind(a.deadline)
        .bind(a.items)
        .bind(&a.paper)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A candidate's attempts at a round, first to last.
    pub async fn attempts(&self, candidate: &str, round: &str) -> Result<Vec<Attempt>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE candidate = $1 AND round = $2 ORDER BY n"
        ))
        .bind(candidate)
        .bind(round)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(attempt).collect::<Result<_, _>>()?)
    }

    /// Every attempt of a round (or of all rounds), by candidate and number.
    pub async fn all_attempts(&self, round: Option<&str>) -> Result<Vec<Attempt>, StoreError> {
        let rows = match round {
            Some(r) => {
                sqlx::query(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE round = $1 ORDER BY candidate, n"
                ))
                .bind(r)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {ATTEMPT_COLUMNS} FROM attempts ORDER BY round, candidate, n"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.iter().map(attempt).collect::<Result<_, _>>()?)
    }

    /// Every attempt's outcome without its paper or marks (for rankings): paper and marks empty.
    pub async fn outcomes(&self) -> Result<Vec<Attempt>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {OUTCOME_COLUMNS} FROM attempts"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(attempt).collect::<Result<_, _>>()?)
    }

    /// How many answers are saved (all attempts).
    pub async fn answer_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM answers")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// The last attempt's state, for saving an answer.
    pub async fn attempt_state(
        &self,
        candidate: &str,
        round: &str,
    ) -> Result<Option<AttemptState>, StoreError> {
        let row = sqlx::query(
            "SELECT n, deadline, items, submitted, voided FROM attempts \
             WHERE candidate = $1 AND round = $2 ORDER BY n DESC LIMIT 1",
        )
        .bind(candidate)
        .bind(round)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(AttemptState {
                n: r.try_get(0)?,
                deadline: r.try_get(1)?,
                items: r.try_get(2)?,
                closed: r.try_get::<Option<i64>, _>(3)?.is_some()
                    || r.try_get::<Option<String>, _>(4)?.is_some(),
            }),
            None => None,
        })
    }

    /// Saves an answer to an attempt still open at `now`; false when the attempt is closed
    /// or its time is up (nothing is written then). The row is committed before this returns.
    pub async fn save_answer(
        &self,
        candidate: &str,
        round: &str,
        n: i64,
        item: i64,
        response: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        // One statement: the answer is written only while the attempt is open and in time.
        let done = sqlx::query(
            "INSERT INTO answers (candidate, round, n, item, response, at) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM attempts \
               WHERE candidate = $1 AND round = $2 AND n = $3 AND submitted IS NULL \
               AND voided IS NULL AND deadline >= $6) \
             ON CONFLICT (candidate, round, n, item) DO UPDATE SET response = excluded.response, at = excluded.at",
        )
        .bind(candidate)
        .bind(round)
        .bind(n)
        .bind(item)
        .bind(response)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An attempt's saved answers: (item, response).
    pub async fn answers(
        &self,
        candidate: &str,
        round: &str,
        n: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, response FROM answers WHERE candidate = $1 AND round = $2 AND n = $3 ORDER BY item",
        )
        .bind(candidate)
        .bind(round)
        .bind(n)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Closes an attempt with its score; false when it was already closed (by another request).
    pub async fn close_attempt(
        &self,
        a: &Attempt,
        at: i64,
        score: f64,
        max_points: f64,
        marks: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE attempts SET submitted = $4, score = $5, max_points = $6, marks = $7 \
             WHERE candidate = $1 AND round = $2 AND n = $3 AND submitted IS NULL",
        )
        .bind(&a.candidate)
        .bind(&a.round)
        .bind(a.n)
        .bind(at)
        .bind(score)
        .bind(max_points)
        .bind(marks)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Attempts still open whose time is up at `now` (one candidate's, or everyone's).
    pub async fn expired(
        &self,
        now: i64,
        candidate: Option<&str>,
    ) -> Result<Vec<Attempt>, StoreError> {
        let rows = match candidate {
            Some(c) => sqlx::query(&format!(
                "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE submitted IS NULL AND voided IS NULL AND deadline < $1 AND candidate = $2"
            ))
            .bind(now)
            .bind(c)
            .fetch_all(&self.pool)
            .await?,
            None => sqlx::query(&format!(
                "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE submitted IS NULL AND voided IS NULL AND deadline < $1"
            ))
            .bind(now)
            .fetch_all(&self.pool)
            .await?,
        };
        Ok(rows.iter().map(attempt).collect::<Result<_, _>>()?)
    }

    /// Ends every open attempt of a round at `at` at the latest (the round was closed early).
    pub async fn cap_deadlines(&self, round: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE attempts SET deadline = $2 WHERE round = $1 AND submitted IS NULL AND deadline > $2",
        )
        .bind(round)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Voids an attempt with a reason; false when there is no such attempt.
    pub async fn void_attempt(
        &self,
        candidate: &str,
        round: &str,
        n: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE attempts SET voided = $4 WHERE candidate = $1 AND round = $2 AND n = $3",
        )
        .bind(candidate)
        .bind(round)
        .bind(n)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Writes a line of the audit log.
    pub async fn audit(
        &self,
        at: i64,
        actor: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, detail) VALUES ($1, $2, $3, $4)")
            .bind(at)
            .bind(actor)
            .bind(action)
            .bind(detail)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The audit log, newest first.
    pub async fn audit_log(
        &self,
        limit: i64,
    ) -> Result<Vec<(i64, String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, detail FROM audit_log ORDER BY at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
