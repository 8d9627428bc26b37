"""The member roster (参保/参互名单): identity numbers, roster files, and the rows they hold."""
