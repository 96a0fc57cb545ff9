//! Facilities: the stores and warehouses of a tenant, which supervisors and
//! fulfillers are bound to.

use crate::db::schema::{facilities, user_facilities};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = facilities)]
pub struct Facility {
    pub id: String,
    pub tenant_id: String,
    pub code: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

impl Facility {
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(facilities::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    pub fn find_by_code(
        conn: &mut DbConnection,
        tenant_id: &str,
        code: &str,
    ) -> QueryResult<Option<Facility>> {
        facilities::table
            .filter(facilities::tenant_id.eq(tenant_id))
            .filter(facilities::code.eq(code))
            .select(Facility::as_select())
            .get_result(conn)
            .optional()
    }

    /// Every facility of a tenant, by name.
    pub fn of_tenant(conn: &mut DbConnection, tenant_id: &str) -> QueryResult<Vec<Facility>> {
        facilities::table
            .filter(facilities::tenant_id.eq(tenant_id))
            .order(facilities::name.asc())
            .select(Facility::as_select())
            .load(conn)
    }

    /// The facilities an account may see, by name.
    pub fn of_user(
        conn: &mut DbConnection,
        tenant_id: &str,
        user_id: &str,
    ) -> QueryResult<Vec<Facility>> {
        facilities::table
            .inner_join(user_facilities::table)
            .filter(user_facilities::tenant_id.eq(tenant_id))
            .filter(facilities::tenant_id.eq(tenant_id))
            .filter(user_facilities::user_id.eq(user_id))
            .order(facilities::name.asc())
            .select(Facility::as_select())
            .load(conn)
    }
}
