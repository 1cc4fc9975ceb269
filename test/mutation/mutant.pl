#!/usr/bin/perl
# The mutation check's helper (scripts/mutation.sh runs it): reads the
# catalogues, checks that every mutant still applies, applies one, and
# keeps the scratch copy of the tree in step with the real one. Plain
# perl-base (Essential on Debian): no module beyond it.
#
#   mutant.pl list CATALOGUE...          id, file, tests, kernel, equivalent
#   mutant.pl check ROOT CATALOGUE...    every snippet found exactly once?
#   mutant.pl apply ROOT ID CATALOGUE... mutates ROOT/file in place
#   mutant.pl sync SRC DST               copies what differs, by content
#
# A catalogue holds mutants separated by blank lines or comments:
#
#   # Why this bug is plausible, what should catch it.
#   mutant sock/seq-after-last
#   file src/sock/io.c
#   tests fuzz/            (optional: a ctest -R regex instead of all the
#                           fast tests, to prove one oracle on its own)
#   kernel test_kernel_sock   (optional: kernel tests also run, if the
#                              fast tests do not kill it)
#   equivalent REASON      (optional: no test can tell, and why)
#   -nlh->nlmsg_seq > last)
#   +nlh->nlmsg_seq > last + 1)
#
# Each '-' line is a line of the original snippet, exactly as it follows
# the '-' (tabs included); several make a multi-line snippet. The '+'
# lines are its replacement (none: the snippet is deleted). The snippet
# must occur exactly once in the file, or the mutant is stale: the check
# fails loudly rather than skip it.
use strict;
use warnings;

sub slurp {
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or return undef;
	local $/;
	my $s = <$fh>;
	close($fh);
	return defined $s ? $s : '';
}

sub spew {
	my ($path, $s) = @_;
	open(my $fh, '>:raw', $path) or die "mutant.pl: $path: $!\n";
	print $fh $s;
	close($fh) or die "mutant.pl: $path: $!\n";
}

sub parse_catalogues {
	my (@files) = @_;
	my (@mutants, %seen, $m, @errors);

	for my $cat (@files) {
		open(my $fh, '<', $cat) or die "mutant.pl: $cat: $!\n";
		my $n = 0;
		while (my $line = <$fh>) {
			$n++;
			chomp $line;
			my $where = "$cat:$n";
			if ($line =~ /^mutant\s+(\S+)\s*$/) {
				$m = { id => $1, where => $where, old => [],
				       new => [], tests => '', kernel => '',
				       equivalent => '' };
				push @errors, "$where: mutant $1 defined twice"
					if $seen{$1}++;
				push @mutants, $m;
			} elsif ($line =~ /^\s*(#.*)?$/) {
				next;
			} elsif (!$m) {
				push @errors, "$where: text before any 'mutant' line";
			} elsif ($line =~ /^(file|tests|kernel|equivalent)\s+(.*?)\s*$/) {
				$m->{$1} = $2;
			} elsif ($line =~ /^-(.*)$/) {
				push @{$m->{old}}, $1;
			} elsif ($line =~ /^\+(.*)$/) {
				push @{$m->{new}}, $1;
			} else {
				push @errors, "$where: cannot read '$line'";
			}
		}
		close($fh);
	}
	for my $mu (@mutants) {
		push @errors, "$mu->{where}: mutant $mu->{id} names no file"
			unless $mu->{file};
		push @errors, "$mu->{where}: mutant $mu->{id} has no '-' snippet"
			unless @{$mu->{old}};
	}
	die join("\n", @errors) . "\n" if @errors;
	return @mutants;
}

sub snippet { return join("\n", @{$_[0]}); }

# How often the mutant's snippet occurs in ROOT/file; undef if unreadable.
sub occurrences {
	my ($root, $m) = @_;
	my $text = slurp("$root/$m->{file}");
	return undef unless defined $text;
	my $old = snippet($m->{old});
	my ($count, $pos) = (0, 0);
	while (($pos = index($text, $old, $pos)) >= 0) {
		$count++;
		$pos += length($old);
	}
	return $count;
}

sub cmd_list {
	for my $m (parse_catalogues(@_)) {
		print join("\t", $m->{id}, $m->{file}, $m->{tests} || '-',
			   $m->{kernel} || '-', $m->{equivalent} || '-'), "\n";
	}
}

sub cmd_check {
	my ($root, @cats) = @_;
	my $bad = 0;
	for my $m (parse_catalogues(@cats)) {
		my $n = occurrences($root, $m);
		my $problem = !defined $n ? "no such file $m->{file}"
			    : $n == 0 ? "snippet not found in $m->{file}"
			    : $n > 1 ? "snippet found $n times in $m->{file}"
			    : snippet($m->{old}) eq snippet($m->{new})
				? "replacement equals the snippet" : '';
		next unless $problem;
		print "STALE $m->{id} ($m->{where}): $problem\n";
		$bad++;
	}
	exit($bad ? 1 : 0);
}

sub cmd_apply {
	my ($root, $id, @cats) = @_;
	my ($m) = grep { $_->{id} eq $id } parse_catalogues(@cats);
	die "mutant.pl: no mutant $id\n" unless $m;
	my $path = "$root/$m->{file}";
	my $text = slurp($path);
	my $n = occurrences($root, $m);
	die "mutant.pl: $id: snippet found " . ($n // 0) . " times\n"
		unless defined $n && $n == 1;
	my $old = snippet($m->{old});
	my $pos = index($text, $old);
	substr($text, $pos, length($old)) = snippet($m->{new});
	spew($path, $text);
}

# Copies every file of SRC (but build/ and .git) whose content differs
# into DST, so that an unchanged file keeps its time stamp and is not
# rebuilt, and one that changed (or that a mutant left) always is.
sub sync_dir {
	my ($src, $dst, $rel) = @_;
	opendir(my $dh, "$src/$rel") or die "mutant.pl: $src/$rel: $!\n";
	my @names = grep { $_ ne '.' && $_ ne '..' } readdir($dh);
	closedir($dh);
	for my $name (sort @names) {
		my $r = $rel eq '' ? $name : "$rel/$name";
		next if $r eq 'build' || $r eq '.git';
		my $from = "$src/$r";
		next if -l $from;
		if (-d $from) {
			mkdir("$dst/$r") unless -d "$dst/$r";
			sync_dir($src, $dst, $r);
			next;
		}
		my $data = slurp($from);
		die "mutant.pl: $from: $!\n" unless defined $data;
		my $old = slurp("$dst/$r");
		next if defined $old && $old eq $data;
		spew("$dst/$r", $data);
		chmod((stat($from))[2] & 07777, "$dst/$r");
	}
}

my $cmd = shift @ARGV // '';
if ($cmd eq 'list') {
	cmd_list(@ARGV);
} elsif ($cmd eq 'check' && @ARGV >= 2) {
	cmd_check(@ARGV);
} elsif ($cmd eq 'apply' && @ARGV >= 3) {
	cmd_apply(@ARGV);
} elsif ($cmd eq 'sync' && @ARGV == 2) {
	mkdir($ARGV[1]) unless -d $ARGV[1];
	sync_dir($ARGV[0], $ARGV[1], '');
} else {
	die "usage: mutant.pl list|check|apply|sync ...\n";
}
