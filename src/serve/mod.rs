//! `examforge serve`: the online competition's web server. Handlers are thin over the same draw,
//! grading and standings core as the command line; every piece of state is a database row.

pub mod competition;
mod pages;
mod web;

pub use web::{close_expired, code_hash, now_ms, router, App, CloseError};

use crate::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Why the server stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Close(#[from] web::CloseError),
    #[error("cannot start the runtime")]
    Runtime(#[source] std::io::Error),
}

/// Runs `f` on a multi-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    Ok(rt.block_on(f))
}

/// Opens the database at `url`.
pub async fn open_store(url: &str) -> Result<Store, ServeError> {
    Ok(Store::open(url).await?)
}

/// Serves `app` on `listen` until interrupted.
pub async fn serve(app: App, listen: &str) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: listen.to_string(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: listen.to_string(),
        source,
    })?;
    eprintln!(
        "serving {} on http://{addr}/ (board: http://{addr}/board, admin: http://{addr}/admin)",
        app.title()
    );
    let router = router(Arc::new(app)).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| ServeError::Listen {
            addr: listen.to_string(),
            source,
        })
}
