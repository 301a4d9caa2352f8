import { desc, namespace, task } from "jt";

desc("Say hello. Pass a first and last name: jt 'greet[Ada,Lovelace]'");
task("greet", { args: ["first", "last"], defaults: { first: "world" } }, ({ args }) => {
  console.log(`Hello, ${[args.first, args.last].filter(Boolean).join(" ")}!`);
});

namespace("setup", () => {
  desc("Create the config the app needs");
  task("config", () => console.log("config: written"));

  desc("Prepare everything (config first)");
  task("all", ["config", "^greet"], () => console.log("setup: done"));
});

task("default", ["setup:all"]);
