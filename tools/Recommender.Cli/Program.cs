using Recommender.Cli;

// dotnet run --project tools/Recommender.Cli -c Release -- --help       (every command answers --help)
return await CliApp.RunAsync(args, Console.Out, Console.Error);
