//! Tenants: the companies one deployment serves. Everything else belongs to
//! exactly one of them.

use crate::db::schema::tenants;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = tenants)]
pub struct Tenant {
    pub id: String,
    pub slug: String,
    pub display_name: String,
    pub password_min_length: i32,
    pub created_at: NaiveDateTime,
}

/// A tenant's short name as it appears in host names: a DNS label.
pub fn valid_slug(slug: &str) -> bool {
    (1..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

impl Tenant {
    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Tenant>> {
        tenants::table
            .filter(tenants::slug.eq(slug))
            .select(Tenant::as_select())
            .get_result(conn)
            .optional()
    }

    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Tenant>> {
        tenants::table
            .filter(tenants::id.eq(id))
            .select(Tenant::as_select())
            .get_result(conn)
            .optional()
    }

    /// Makes the calling transaction the only one changing the tenant's
    /// accounts until it ends, so that two administrators acting at once
    /// (each demoting the other, say) are checked one after the other
    /// against what the first wrote. PostgreSQL locks the tenant's row; on
    /// SQLite this process's writers already take turns
    /// (`db::SQLITE_WRITER`) and one process writes the file. `FOR NO KEY
    /// UPDATE`, not `FOR UPDATE`: rows that reference the tenant (a sign-in's
    /// session) may still be written meanwhile, which would otherwise
    /// deadlock with a sign-in holding its account.
    pub fn lock_accounts(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
        match conn {
            DbConnection::Postgresql(pg) => tenants::table
                .filter(tenants::id.eq(id))
                .select(tenants::id)
                .for_no_key_update()
                .load::<String>(pg)
                .map(drop),
            DbConnection::Sqlite(_) => Ok(()),
        }
    }

    /// Every tenant, by slug.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Tenant>> {
        tenants::table
            .order(tenants::slug.asc())
            .select(Tenant::as_select())
            .load(conn)
    }

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        tenants::table.count().get_result(conn)
    }

    /// Changes the name the login screen shows; true if the tenant exists.
    pub fn rename(conn: &mut DbConnection, slug: &str, display_name: &str) -> QueryResult<bool> {
        let changed = diesel::update(tenants::table.filter(tenants::slug.eq(slug)))
            .set(tenants::display_name.eq(display_name))
            .execute(conn)?;
        Ok(changed > 0)
    }

    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(tenants::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::valid_slug;

    #[test]
    fn slugs_are_dns_labels() {
        assert!(valid_slug("acme"));
        assert!(valid_slug("store-42"));
        assert!(!valid_slug("Acme"));
        assert!(!valid_slug("-acme"));
        assert!(!valid_slug("a.b"));
        assert!(!valid_slug(""));
    }
}
