import { Module } from "@nestjs/common";
import { DbService } from "./db.service.js";
import { UsersService } from "./users.service.js";

@Module({ providers: [DbService, UsersService], exports: [DbService, UsersService] })
export class AppModule {}
