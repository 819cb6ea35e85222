using BenchmarkDotNet.Running;
using Descent.Benchmarks;

if (args.Length > 0 && args[0] == "compare") return Compare.Run(args);
if (args.Length > 0 && args[0] == "parts") return Parts.Run();
if (args.Length > 0 && args[0] == "cnn-parts") return CnnParts.Run();
if (args.Length > 0 && args[0] == "epoch") return Epoch.Run(args);
if (args.Length > 0 && args[0] == "ew-breakdown") return Breakdown.Run(args);
if (args.Length > 0 && args[0] == "alloc") return Allocations.Run();
if (args.Length > 0 && args[0] == "info") { Console.WriteLine(Descent.Kernels.KernelInfo.Describe()); return 0; }
BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
return 0;
