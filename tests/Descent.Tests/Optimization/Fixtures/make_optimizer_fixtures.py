#!/usr/bin/env python3
"""Reference trajectories from torch.optim and torch.optim.lr_scheduler for Descent's optimization tests.

Run from this folder with `/usr/bin/python3 make_optimizer_fixtures.py`; it rewrites
optimizer_trajectories.json and lr_schedules.json. Everything is float64. Gradients come from autograd here;
the C# tests use hand-derived formulas for the same functions, so both sides are checked.

Problems:
  rosenbrock: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1), one parameter of shape [2].
  quadratic:  f(a, B) = 1/2 sum h_i (a_i - a*_i)^2 + 1/2 sum k_j (B_j - B*_j)^2 + c a_0 B_00,
              a of shape [3], B of shape [2, 2] (flattened row-major), constants below.
"""
import json
import torch

torch.set_default_dtype(torch.float64)
STEPS = 50

H = [1.0, 2.0, 3.0]
A_STAR = [1.0, -2.0, 0.5]
K = [0.5, 1.5, 2.5, 4.0]
B_STAR = [0.3, -0.7, 1.1, 2.0]
C = 0.25


def rosenbrock_problem():
    p = torch.tensor([-1.2, 1.0], requires_grad=True)

    def loss():
        x, y = p[0], p[1]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2

    return [p], loss


def quadratic_problem():
    a = torch.tensor([2.0, 1.0, -1.0], requires_grad=True)
    b = torch.tensor([[1.0, 0.0], [-1.0, 3.0]], requires_grad=True)
    h, a_star = torch.tensor(H), torch.tensor(A_STAR)
    k, b_star = torch.tensor(K).reshape(2, 2), torch.tensor(B_STAR).reshape(2, 2)

    def loss():
        return 0.5 * (h * (a - a_star) ** 2).sum() + 0.5 * (k * (b - b_star) ** 2).sum() + C * a[0] * b[0, 0]

    return [a, b], loss


OPTIMIZERS = {
    "sgd": (torch.optim.SGD, {"lr": 1e-3}),
    "sgd_momentum": (torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9}),
    "sgd_nesterov": (torch.optim.SGD, {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": (torch.optim.SGD, {"lr": 1e-3, "momentum": 0.5, "weight_decay": 0.1, "dampening": 0.2}),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.1}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.01}),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, {"lr": 1e-3, "centered": True, "momentum": 0.9}),
    "adam": (torch.optim.Adam, {"lr": 0.01}),
    "adam_amsgrad": (torch.optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05}),
    "adamw": (torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
}


def flat(params):
    return [[float(v) for v in p.detach().reshape(-1)] for p in params]


def trajectory(make_problem, cls, options):
    params, loss = make_problem()
    opt = cls(params, **options)
    states = [flat(params)]
    for _ in range(STEPS):
        opt.zero_grad()
        loss().backward()
        opt.step()
        states.append(flat(params))
    return states


def optimizer_cases():
    cases = []
    for name, (cls, options) in OPTIMIZERS.items():
        for problem, make in (("rosenbrock", rosenbrock_problem), ("quadratic", quadratic_problem)):
            cases.append({"optimizer": name, "options": options, "problem": problem,
                          "trajectory": trajectory(make, cls, options)})
    return cases


def schedule(make_scheduler, steps, lr=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


def schedule_cases():
    S = torch.optim.lr_scheduler
    return [
        {"name": "step_decay", "rates": schedule(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 20)},
        {"name": "multi_step", "rates": schedule(lambda o: S.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3), 15)},
        {"name": "exponential", "rates": schedule(lambda o: S.ExponentialLR(o, gamma=0.9), 15)},
        {"name": "cosine", "rates": schedule(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 11)},
        {"name": "cosine_warm_restarts", "rates": schedule(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), 25)},
        {"name": "one_cycle", "rates": schedule(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20, cycle_momentum=False), 20)},
        {"name": "one_cycle_three_phase", "rates": schedule(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20, cycle_momentum=False, three_phase=True), 20)},
    ]


def reduce_on_plateau_case():
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.1)
    metrics = [5, 4, 4, 4, 4, 3.9999, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    rates = []
    for m in metrics:
        scheduler.step(m)
        rates.append(opt.param_groups[0]["lr"])
    return {"name": "reduce_on_plateau", "metrics": metrics, "rates": rates}


if __name__ == "__main__":
    with open("optimizer_trajectories.json", "w") as f:
        json.dump({"torch": torch.__version__, "steps": STEPS, "cases": optimizer_cases()}, f, indent=1)
    with open("lr_schedules.json", "w") as f:
        json.dump({"torch": torch.__version__, "cases": schedule_cases() + [reduce_on_plateau_case()]}, f, indent=1)
