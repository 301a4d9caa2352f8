import { DataTypes, Model, Sequelize, type CreationOptional, type InferAttributes, type InferCreationAttributes } from "sequelize";

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare login: string;
  declare name: string;
}

export class Post extends Model<InferAttributes<Post>, InferCreationAttributes<Post>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare title: string;
}

export function connect(): Sequelize {
  const sequelize = new Sequelize(process.env.DATABASE_URL!, {
    logging: false,
    schema: process.env.APP_SCHEMA,
    searchPath: process.env.APP_SCHEMA,
    dialectOptions: { prependSearchPath: true },
  });
  const schema = process.env.APP_SCHEMA;
  User.init(
    { id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true }, login: { type: DataTypes.TEXT, allowNull: false, unique: true }, name: { type: DataTypes.TEXT, allowNull: false } },
    { sequelize, tableName: "users", timestamps: false, schema },
  );
  Post.init(
    { id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true }, userId: { type: DataTypes.INTEGER, allowNull: false, field: "user_id" }, title: { type: DataTypes.TEXT, allowNull: false } },
    { sequelize, tableName: "posts", timestamps: false, schema },
  );
  User.hasMany(Post, { foreignKey: "userId", as: "posts" });
  Post.belongsTo(User, { foreignKey: "userId" });
  return sequelize;
}
