//! `backoffice sso create|list|update|delete`: an operator sets up a
//! tenant's single sign-on providers from the command line, through the
//! same rules as the API (`flows::sso_providers`). The client secret is
//! asked for without echo (or read from standard input), never taken from
//! the command line; the redirect URI to register at the provider is
//! printed.

use crate::admin;
use crate::auth::secret_key::SecretKey;
use crate::db;
use crate::flows::sso_providers::{ChangedBy, ProviderError, SsoProviders};
use crate::settings::{PublicUrl, Settings};
use clap::{Args, Subcommand};
use diesel::Connection;
use secrecy::ExposeSecret;
use shared::sso::{
    NewSsoProvider, RoleManagement, SsoProviderChanges, SsoProviderStatus, SsoProviderView,
};
use shared::Role;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Create a provider; asks for its client secret without echo (or reads the first line of standard input) and prints the redirect URI to register at the provider
    Create {
        #[arg(long)]
        tenant: String,
        /// The name on the login button, e.g. "Acme Entra ID"
        #[arg(long)]
        name: String,
        /// The provider's issuer URL (https; http only on this machine)
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        /// A public client: no secret (PKCE only)
        #[arg(long)]
        no_client_secret: bool,
        /// Create it inactive (not offered on the login screen)
        #[arg(long)]
        inactive: bool,
        /// IDP_MANAGED (role and facilities from the claims at every sign-in) or IDP_IDENTITY_ONLY (kept here)
        #[arg(long, default_value = "IDP_MANAGED")]
        role_management: RoleManagement,
        #[command(flatten)]
        settings: ProviderArgs,
    },
    /// List a tenant's providers: id, status, name, issuer, client id, whether a secret is set, redirect URI
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Change a provider: only the options given change (a repeated option replaces its whole list)
    Update {
        #[arg(long)]
        tenant: String,
        /// The provider's id (see `sso list`)
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long)]
        client_id: Option<String>,
        /// Ask for a new client secret (without echo, or from standard input)
        #[arg(long)]
        client_secret: bool,
        /// ACTIVE or INACTIVE
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        role_management: Option<RoleManagement>,
        /// Remove the default role: accounts whose claims map to no role are refused
        #[arg(long)]
        no_default_role: bool,
        #[command(flatten)]
        settings: ProviderArgs,
    },
    /// Delete a provider (its accounts stay, but cannot sign in through it)
    Delete {
        #[arg(long)]
        tenant: String,
        id: String,
    },
}

/// Settings shared by `create` and `update`.
#[derive(Debug, Args)]
pub struct ProviderArgs {
    /// A scope to ask for (repeat; `openid` is always asked for; default openid profile email)
    #[arg(long = "scope")]
    scopes: Vec<String>,
    /// An extra authorization parameter NAME=VALUE, e.g. domain_hint=acme.example (repeat)
    #[arg(long = "param")]
    params: Vec<String>,
    /// The claim that carries the role, e.g. roles
    #[arg(long)]
    role_claim: Option<String>,
    /// VALUE=ROLE: a role claim value and the role it gives (ADMINISTRATOR, SUPERVISOR, FULFILLER; repeat)
    #[arg(long = "role-map")]
    role_map: Vec<String>,
    /// The role of accounts whose claims map to none
    #[arg(long)]
    default_role: Option<Role>,
    /// The claim that carries the groups, e.g. groups
    #[arg(long)]
    group_claim: Option<String>,
    /// GROUP=CODE[,CODE…]: a group and the facility codes it gives (repeat)
    #[arg(long = "group-map")]
    group_map: Vec<String>,
}

/// `NAME=VALUE` items as a map.
fn pairs(items: &[String], what: &str) -> anyhow::Result<BTreeMap<String, String>> {
    items
        .iter()
        .map(|item| {
            item.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| anyhow::anyhow!("{what} `{item}` is not NAME=VALUE"))
        })
        .collect()
}

struct Parsed {
    extra_params: Option<BTreeMap<String, String>>,
    role_mapping: Option<BTreeMap<String, Role>>,
    group_mapping: Option<BTreeMap<String, Vec<String>>>,
}

impl ProviderArgs {
    /// The repeated options, each `None` when not given.
    fn parse(&self) -> anyhow::Result<Parsed> {
        let given = |items: &[String]| !items.is_empty();
        let role_mapping = pairs(&self.role_map, "--role-map")?
            .into_iter()
            .map(|(value, role)| Ok((value, role.parse::<Role>()?)))
            .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
        let group_mapping = pairs(&self.group_map, "--group-map")?
            .into_iter()
            .map(|(group, codes)| {
                let codes = codes
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
                (group, codes)
            })
            .collect();
        Ok(Parsed {
            extra_params: given(&self.params)
                .then(|| pairs(&self.params, "--param"))
                .transpose()?,
            role_mapping: given(&self.role_map).then_some(role_mapping),
            group_mapping: given(&self.group_map).then_some(group_mapping),
        })
    }
}

fn refused(error: ProviderError) -> anyhow::Error {
    match error {
        ProviderError::Invalid(faults) => anyhow::anyhow!(
            "{}",
            faults
                .iter()
                .map(|(field, _, words)| format!("{field}: {words}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

fn print(view: &SsoProviderView) {
    println!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        view.id,
        view.status.as_str(),
        view.display_name,
        view.issuer,
        view.client_id,
        if view.client_secret_set {
            "secret set"
        } else {
            "no secret"
        },
        view.redirect_uri
    );
}

pub fn run(settings: &Settings, command: SsoCommand) -> anyhow::Result<()> {
    let providers = SsoProviders {
        secret: Arc::new(SecretKey::load_or_create(&settings.secret_key_file)?),
        links: settings.public_url.clone().unwrap_or_else(|| {
            PublicUrl::local(&settings.tenant_host_pattern, settings.listen.port())
        }),
    };
    let by = ChangedBy {
        who: "an operator (command line)",
        address: None,
    };
    let mut conn = db::connect(&settings.database, 1)?.get()?;
    match command {
        SsoCommand::Create {
            tenant,
            name,
            issuer,
            client_id,
            no_client_secret,
            inactive,
            role_management,
            settings: args,
        } => {
            let tenant = admin::find_tenant(&mut conn, &tenant)?;
            let parsed = args.parse()?;
            let client_secret = if no_client_secret {
                None
            } else {
                Some(
                    crate::cli::read_secret("Client secret", "secret")?
                        .expose_secret()
                        .to_owned(),
                )
            };
            let new = NewSsoProvider {
                display_name: name,
                status: Some(if inactive {
                    SsoProviderStatus::Inactive
                } else {
                    SsoProviderStatus::Active
                }),
                issuer,
                client_id,
                client_secret,
                extra_params: parsed.extra_params.unwrap_or_default(),
                scopes: (!args.scopes.is_empty()).then_some(args.scopes),
                role_management,
                role_claim: args.role_claim,
                role_mapping: parsed.role_mapping.unwrap_or_default(),
                default_role: args.default_role,
                group_claim: args.group_claim,
                group_mapping: parsed.group_mapping.unwrap_or_default(),
            };
            let view = conn
                .transaction(|conn| providers.create(conn, &tenant, new, &by))
                .map_err(refused)?;
            println!(
                "created provider {} ({}) in {}",
                view.id, view.display_name, tenant.slug
            );
            println!(
                "redirect URI to register at the provider: {}",
                view.redirect_uri
            );
            Ok(())
        }
        SsoCommand::List { tenant } => {
            let tenant = admin::find_tenant(&mut conn, &tenant)?;
            for view in providers.list(&mut conn, &tenant).map_err(refused)? {
                print(&view);
            }
            Ok(())
        }
        SsoCommand::Update {
            tenant,
            id,
            name,
            issuer,
            client_id,
            client_secret,
            status,
            role_management,
            no_default_role,
            settings: args,
        } => {
            let tenant = admin::find_tenant(&mut conn, &tenant)?;
            let parsed = args.parse()?;
            let status = match status.as_deref().map(str::to_ascii_uppercase).as_deref() {
                None => None,
                Some("ACTIVE") => Some(SsoProviderStatus::Active),
                Some("INACTIVE") => Some(SsoProviderStatus::Inactive),
                Some(other) => anyhow::bail!("--status `{other}`: expected ACTIVE or INACTIVE"),
            };
            let client_secret = if client_secret {
                Some(Some(
                    crate::cli::read_secret("Client secret", "secret")?
                        .expose_secret()
                        .to_owned(),
                ))
            } else {
                None
            };
            let view = conn
                .transaction(|conn| {
                    let current = providers.get(conn, &tenant, &id)?;
                    let changes = SsoProviderChanges {
                        version: current.version,
                        display_name: name,
                        status,
                        issuer,
                        client_id,
                        client_secret,
                        extra_params: parsed.extra_params,
                        scopes: (!args.scopes.is_empty()).then_some(args.scopes),
                        role_management,
                        role_claim: args.role_claim.map(Some),
                        role_mapping: parsed.role_mapping,
                        default_role: if no_default_role {
                            Some(None)
                        } else {
                            args.default_role.map(Some)
                        },
                        group_claim: args.group_claim.map(Some),
                        group_mapping: parsed.group_mapping,
                    };
                    providers.update(conn, &tenant, &id, changes, &by)
                })
                .map_err(refused)?;
            println!("updated provider {} ({})", view.id, view.display_name);
            print(&view);
            Ok(())
        }
        SsoCommand::Delete { tenant, id } => {
            let tenant = admin::find_tenant(&mut conn, &tenant)?;
            conn.transaction(|conn| providers.delete(conn, &tenant, &id, &by))
                .map_err(refused)?;
            println!("deleted provider {id} from {}", tenant.slug);
            Ok(())
        }
    }
}
