const knex = require("knex");

function connect() {
  return knex({
    client: "pg",
    connection: process.env.DATABASE_URL,
    searchPath: [process.env.APP_SCHEMA || "public"],
    pool: { min: 0, max: 5 },
  });
}

module.exports = { connect };
