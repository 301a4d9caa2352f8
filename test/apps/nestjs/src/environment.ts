import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import { defineEnvironment } from "jobs-and-tasks";
import { AppModule } from "./app.module.js";
import { DbService } from "./db.service.js";
import { UsersService } from "./users.service.js";

export default defineEnvironment({
  async setup() {
    const nest = await NestFactory.createApplicationContext(AppModule, { logger: false });
    return { nest, db: nest.get(DbService), users: nest.get(UsersService) };
  },
  async teardown({ nest }) {
    await nest.close();
  },
});
