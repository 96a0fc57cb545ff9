//! The OpenID Connect relying party: discovery of a provider's metadata and
//! keys (cached per issuer, fetched again when an ID token names a key the
//! cache lacks, so a key rotation at the provider is followed), the
//! authorization URL of the code flow with PKCE (S256), state and nonce,
//! and the code exchange with every check of the ID token (signature,
//! issuer, audience, expiry, nonce, access token hash), completed by the
//! userinfo endpoint. It knows nothing of tenants or accounts.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, StandardErrorResponse, StandardTokenResponse, TokenResponse,
    UserInfoClaims,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a provider's metadata and keys are used before they are
/// fetched again.
const METADATA_TTL: Duration = Duration::from_secs(15 * 60);
/// ID tokens signed with an unknown key fetch the keys again at most this
/// often per issuer, so forged tokens cannot make us hammer the provider.
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(10);
/// Each call to a provider: connecting, and the whole exchange.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Issuers cached at most (providers are set up by administrators, so
/// this is far beyond any deployment; it only bounds the memory).
const CACHE_MAX: usize = 1_000;
/// The longest claim value kept for an account field.
const MAX_CLAIM_CHARS: usize = 256;

/// Claims beyond the standard ones (the role and group claims, named by
/// each provider's settings).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: serde_json::Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

type RelyingParty = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<IdFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a provider call failed. The words are for the logs and the audit
/// trail: they never hold a secret, a code or a token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider cannot be reached, or answers with a server error.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused, or what it answered does not check out.
    #[error("{0}")]
    Rejected(String),
}

/// Which client of which provider, and where it comes back to.
pub struct RelyingPartyConfig<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: Option<SecretString>,
    pub redirect_uri: &'a str,
}

/// A started authorization: where to send the browser, and what the
/// callback needs to finish it (kept by the caller, the verifier sealed).
pub struct Authorization {
    pub url: String,
    pub nonce: String,
    pub pkce_verifier: SecretString,
}

/// Who the provider says signed in, once every check has passed.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub preferred_username: Option<String>,
    pub email: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub locale: Option<String>,
    /// The other claims: the ID token's, completed by userinfo's.
    pub claims: serde_json::Map<String, Value>,
}

impl Identity {
    /// The string values of a claim: a string, or a list's strings.
    pub fn values_of(&self, claim: &str) -> Vec<String> {
        match self.claims.get(claim) {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }
}

struct Cached {
    metadata: Arc<CoreProviderMetadata>,
    fetched: Instant,
    /// When an unknown key last made us fetch again.
    refetched_for_unknown_key: Option<Instant>,
}

/// The relying party of every provider this process talks to.
pub struct Oidc {
    http: openidconnect::reqwest::Client,
    cache: RwLock<HashMap<String, Cached>>,
}

impl Oidc {
    pub fn new() -> anyhow::Result<Self> {
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects would open the client to SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| anyhow::anyhow!("OpenID Connect HTTP client: {e}"))?;
        Ok(Oidc {
            http,
            cache: RwLock::new(HashMap::new()),
        })
    }

    /// The provider's metadata and keys: cached, or fetched when missing,
    /// stale, or (with `unknown_key`) when the cached keys lack the one a
    /// token names, unless that made us fetch them very recently.
    async fn metadata(
        &self,
        issuer: &str,
        unknown_key: bool,
    ) -> Result<Arc<CoreProviderMetadata>, OidcError> {
        if let Ok(cache) = self.cache.read() {
            if let Some(cached) = cache.get(issuer) {
                let fresh = if unknown_key {
                    cached
                        .refetched_for_unknown_key
                        .is_some_and(|at| at.elapsed() < REFETCH_AT_MOST_EVERY)
                } else {
                    cached.fetched.elapsed() < METADATA_TTL
                };
                if fresh {
                    return Ok(Arc::clone(&cached.metadata));
                }
            }
        }
        let issuer_url = IssuerUrl::new(issuer.to_owned())
            .map_err(|e| OidcError::Rejected(format!("the issuer is not a URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, &self.http)
            .await
            .map_err(|e| match e {
                // Not reachable, or not answering well: maybe later.
                openidconnect::DiscoveryError::Request(_)
                | openidconnect::DiscoveryError::Response(..) => {
                    OidcError::Unavailable(format!("discovery of {issuer}: {e}"))
                }
                // Answering, but not as this issuer: a misconfiguration.
                other => OidcError::Rejected(format!("discovery of {issuer}: {other}")),
            })?;
        let metadata = Arc::new(metadata);
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(
                issuer.to_owned(),
                Cached {
                    metadata: Arc::clone(&metadata),
                    fetched: Instant::now(),
                    refetched_for_unknown_key: unknown_key.then(Instant::now),
                },
            );
        }
        Ok(metadata)
    }

    fn relying_party(
        metadata: &CoreProviderMetadata,
        config: &RelyingPartyConfig<'_>,
    ) -> Result<RelyingParty, OidcError> {
        let redirect = RedirectUrl::new(config.redirect_uri.to_owned())
            .map_err(|e| OidcError::Rejected(format!("the redirect URI is not a URL: {e}")))?;
        Ok(RelyingParty::from_provider_metadata(
            metadata.clone(),
            ClientId::new(config.client_id.to_owned()),
            config
                .client_secret
                .as_ref()
                .map(|secret| ClientSecret::new(secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider's authorization URL for a code flow with PKCE, the
    /// given `state`, a new nonce, `scopes` (`openid` is always asked for)
    /// and `extra` parameters.
    pub async fn authorize(
        &self,
        config: &RelyingPartyConfig<'_>,
        state: &str,
        scopes: &[String],
        extra: &BTreeMap<String, String>,
    ) -> Result<Authorization, OidcError> {
        let metadata = self.metadata(config.issuer, false).await?;
        let client = Self::relying_party(&metadata, config)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = state.to_owned();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for (name, value) in extra {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        let (url, _, nonce) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            nonce: nonce.secret().clone(),
            pkce_verifier: SecretString::from(verifier.secret().clone()),
        })
    }

    /// Exchanges an authorization code and checks what comes back: the ID
    /// token's signature (fetching the keys again once if it names an
    /// unknown one), issuer, audience, expiry and nonce, and the access
    /// token hash; then asks userinfo for the claims the ID token lacks.
    pub async fn finish(
        &self,
        config: &RelyingPartyConfig<'_>,
        code: &str,
        pkce_verifier: &SecretString,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let metadata = self.metadata(config.issuer, false).await?;
        let client = Self::relying_party(&metadata, config)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Rejected(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(
                pkce_verifier.expose_secret().to_owned(),
            ))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(refusal) => OidcError::Rejected(format!(
                    "the token endpoint refused the code: {}",
                    refusal.error()
                )),
                RequestTokenError::Request(e) => {
                    OidcError::Unavailable(format!("the token endpoint: {e}"))
                }
                other => OidcError::Rejected(format!("the token endpoint: {other}")),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Rejected("the provider sent no ID token".to_owned()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let first = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .cloned();
        let (client, claims) = match first {
            Ok(claims) => (client, claims),
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys since we cached
                // them: fetch them again, once.
                let metadata = self.metadata(config.issuer, true).await?;
                let client = Self::relying_party(&metadata, config)?;
                let claims = id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::Rejected(format!("the ID token: {e}")))?
                    .clone();
                (client, claims)
            }
            Err(e) => return Err(OidcError::Rejected(format!("the ID token: {e}"))),
        };
        let verifier = client.id_token_verifier();
        if let Some(expected) = claims.access_token_hash() {
            let actual = id_token
                .signing_alg()
                .and_then(|alg| id_token.signing_key(&verifier).map(|key| (alg, key)))
                .map_err(|e| OidcError::Rejected(format!("the ID token's key: {e}")))
                .and_then(|(alg, key)| {
                    AccessTokenHash::from_token(response.access_token(), alg, key)
                        .map_err(|e| OidcError::Rejected(format!("the access token hash: {e}")))
                })?;
            if actual != *expected {
                return Err(OidcError::Rejected(
                    "the access token does not belong to the ID token".to_owned(),
                ));
            }
        }
        let subject = claims.subject().clone();
        let mut identity = Identity {
            subject: subject.as_str().to_owned(),
            preferred_username: claims.preferred_username().map(|u| u.as_str().to_owned()),
            email: claims.email().map(|e| e.as_str().to_owned()),
            given_name: claims
                .given_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            family_name: claims
                .family_name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            locale: claims.locale().map(|l| l.as_str().to_owned()),
            claims: claims.additional_claims().claims.clone(),
        };
        if let Ok(request) = client.user_info(response.access_token().clone(), Some(subject)) {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
                .request_async(&self.http)
                .await
                .map_err(|e| match e {
                    openidconnect::UserInfoError::Request(e) => {
                        OidcError::Unavailable(format!("userinfo: {e}"))
                    }
                    other => OidcError::Rejected(format!("userinfo: {other}")),
                })?;
            fill(&mut identity.preferred_username, || {
                info.preferred_username().map(|u| u.as_str().to_owned())
            });
            fill(&mut identity.email, || {
                info.email().map(|e| e.as_str().to_owned())
            });
            fill(&mut identity.given_name, || {
                info.given_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned())
            });
            fill(&mut identity.family_name, || {
                info.family_name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned())
            });
            fill(&mut identity.locale, || {
                info.locale().map(|l| l.as_str().to_owned())
            });
            for (name, value) in &info.additional_claims().claims {
                identity
                    .claims
                    .entry(name.clone())
                    .or_insert_with(|| value.clone());
            }
        }
        for field in [
            &mut identity.preferred_username,
            &mut identity.email,
            &mut identity.given_name,
            &mut identity.family_name,
            &mut identity.locale,
        ] {
            *field = field
                .take()
                .map(|v| v.trim().chars().take(MAX_CLAIM_CHARS).collect::<String>())
                .filter(|v| !v.is_empty());
        }
        Ok(identity)
    }
}

/// Sets `slot` from `value` if the ID token left it empty.
fn fill(slot: &mut Option<String>, value: impl FnOnce() -> Option<String>) {
    if slot.as_deref().is_none_or(str::is_empty) {
        *slot = value();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_reads_as_a_string_or_a_list_of_strings() {
        let mut identity = Identity {
            subject: "s".to_owned(),
            preferred_username: None,
            email: None,
            given_name: None,
            family_name: None,
            locale: None,
            claims: serde_json::Map::new(),
        };
        identity
            .claims
            .insert("role".to_owned(), Value::String("admin".to_owned()));
        identity
            .claims
            .insert("groups".to_owned(), serde_json::json!(["a", 3, "b"]));
        assert_eq!(identity.values_of("role"), vec!["admin"]);
        assert_eq!(identity.values_of("groups"), vec!["a", "b"]);
        assert!(identity.values_of("missing").is_empty());
    }
}
