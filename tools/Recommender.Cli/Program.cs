using Recommender.Cli;

// dotnet run --project tools/Recommender.Cli -c Release -- evaluate --input FILE --format csv|tsv
//     --protocol random|leave-last|temporal [--k 10] [--algorithms a,b] [--seen remove|keep] [--json] [--seed 42]
return CliApp.Run(args, Console.Out, Console.Error);
