//! The single-page app: built files from the static folder, and
//! `index.html` for every other path so deep links (`/account`) work.

use crate::http::error::ApiError;
use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use std::path::{Path, PathBuf};

pub fn service(static_dir: &Path) -> Files {
    let index: PathBuf = static_dir.join("index.html");
    Files::new("/", static_dir)
        .index_file("index.html")
        .use_etag(true)
        .use_last_modified(true)
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                match NamedFile::open_async(&index).await {
                    Ok(file) => {
                        let mut response = file.into_response(&req);
                        response.headers_mut().insert(
                            actix_web::http::header::CACHE_CONTROL,
                            actix_web::http::header::HeaderValue::from_static("no-cache"),
                        );
                        Ok(ServiceResponse::new(req, response))
                    }
                    Err(_) => Ok(ServiceResponse::new(
                        req,
                        actix_web::ResponseError::error_response(&ApiError::not_found()),
                    )),
                }
            }
        }))
}
