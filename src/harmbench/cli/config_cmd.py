"""`harmbench models list`, `methods list`, `config check`."""

from __future__ import annotations

import argparse

from harmbench.cli.output import console, print_json, table, warn
from harmbench.config import load_configs


def _configs_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--configs", metavar="DIR",
                   help="configs folder in upstream's layout (model_configs/, method_configs/, pipeline_configs/); "
                        "default: harmbench's own")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="models known to models.yaml")
    msub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = msub.add_parser("list", help="one line per model")
    _configs_arg(q)
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_models_list)

    p = sub.add_parser("methods", help="red-teaming methods (proper methods of the pipeline config)")
    msub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = msub.add_parser("list", help="one line per proper method")
    _configs_arg(q)
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_methods_list)

    p = sub.add_parser("config", help="validate configs")
    csub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = csub.add_parser("check", help="load every config, expand every experiment, report problems")
    _configs_arg(q)
    q.add_argument("--json", action="store_true",
                   help='print {"models": [...], "methods": {M: {"experiments": {E: {...}}, "unresolved": {...}}}}')
    q.set_defaults(func=cmd_config_check)


def _print_warnings(configs) -> None:
    for w in configs.warnings:
        warn(w)


def cmd_models_list(args: argparse.Namespace) -> int:
    configs = load_configs(args.configs)
    _print_warnings(configs)
    models = configs.models.models.values()
    if args.json:
        print_json({m.name: {"model_type": m.model_type, "num_gpus": m.num_gpus, "model": m.model} for m in models})
        return 0
    table(str(configs.models.path), ["model", "type", "GPUs", "model_name_or_path", "chat_template"],
          [[m.name, m.model_type, m.num_gpus, m.model_name_or_path, m.model.get("chat_template", "")] for m in models])
    return 0


def cmd_methods_list(args: argparse.Namespace) -> int:
    from harmbench.attacks import attack_classes

    configs = load_configs(args.configs)
    _print_warnings(configs)
    classes = attack_classes()

    def described(class_name: str) -> dict:
        cls = classes.get(class_name)
        return {"class_name": class_name, "available": cls is not None,
                "needs": sorted(cls.needs) if cls else None,
                "cost_per_behavior": cls.cost_per_behavior if cls else None,
                "has_method_config": class_name in configs.methods}

    entries = {
        name: {**described(pm.class_name), "experiment_name_template": pm.experiment_name_template,
               "allowed_target_model_types": list(pm.allowed_target_model_types), "runs": len(pm.run_ids)}
        for name, pm in configs.pipeline.items()
    }
    # Registered classes that no proper method names (e.g. run as `--methods EnsembleGCG`) are listed too.
    proper_classes = {pm.class_name for pm in configs.pipeline.values()}
    for class_name in classes:
        if class_name not in entries and class_name not in proper_classes:
            entries[class_name] = {**described(class_name), "experiment_name_template": None,
                                   "allowed_target_model_types": ["open_source", "closed_source"], "runs": 1}
    if args.json:
        print_json(entries)
        return 0
    # The experiment, target types and runs are in --json; the table keeps what a user chooses by.
    table("proper methods", ["method", "class", "needs", "cost per behavior"],
          [[n, e["class_name"], ", ".join(e["needs"]) or "-" if e["available"] else "(not in this version)",
            e["cost_per_behavior"] or "-"] for n, e in entries.items()])
    return 0


def cmd_config_check(args: argparse.Namespace) -> int:
    configs = load_configs(args.configs)
    report: dict = {"models": configs.models.names(), "methods": {}}
    warnings = list(configs.warnings)
    for name, method in configs.methods.items():
        ok, failed = method.all_experiments(configs.models)
        report["methods"][name] = {
            "experiments": {exp: e.hyperparameters for exp, e in ok.items()},
            "unresolved": failed,
        }
        warnings += method.binding_warnings(configs.models)
    for name, pm in configs.pipeline.items():
        if pm.class_name not in configs.methods and configs.methods:
            warnings.append(f"proper method {name!r} uses class {pm.class_name!r}, which has no method config")
    report["pipeline"] = sorted(configs.pipeline)
    report["warnings"] = warnings
    if args.json:
        print_json(report)
        return 0
    for w in warnings:
        warn(w)
    console.print(f"{len(configs.models.names())} models in {configs.models.path}")
    if report["methods"]:
        table(f"method configs in {configs.root / 'method_configs'}", ["method", "experiments", "unresolved"],
              [[n, len(m["experiments"]), len(m["unresolved"])] for n, m in report["methods"].items()])
    else:
        console.print(f"no method configs in {configs.root / 'method_configs'}")
    if any(m["unresolved"] for m in report["methods"].values()):
        console.print("Unresolved experiments fail only if requested (as upstream); `--json` says why for each.")
    console.print(f"{len(configs.pipeline)} proper methods in the pipeline config. All configs loaded.")
    return 0
