//! Sign-in, token refresh and sign-out.

pub mod login;
pub mod logout;
pub mod refresh;
mod sign_in_writes;

use crate::auth::refresh_cookie;
use crate::auth::session_tokens::IssuedTokens;
use actix_web::HttpResponse;

/// The answer carrying a fresh token pair: the refresh token in the body
/// for scripts that asked for it, else in the cookie.
pub fn token_response(issued: IssuedTokens, in_body: bool, https: bool) -> HttpResponse {
    let IssuedTokens {
        mut response,
        refresh_token,
        refresh_max_age,
    } = issued;
    let mut builder = HttpResponse::Ok();
    if in_body {
        response.refresh_token = Some(refresh_token);
    } else {
        builder.cookie(refresh_cookie::issue(
            &refresh_token,
            refresh_max_age,
            https,
        ));
    }
    builder.json(response)
}
